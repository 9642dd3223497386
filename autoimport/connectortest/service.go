package connectortest

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Order is the order in which the fake service returns records.
type Order int

const (
	// ByUpdated returns records in ascending update time, ties by ID.
	ByUpdated Order = iota
	// ByID returns records in ID order, whatever their update times (a
	// service whose pages are not in update order).
	ByID
)

// Paging is how the fake service's pages follow each other.
type Paging int

const (
	// Keyset cursors name the last record returned (its update time and
	// ID): stable when records change between pages.
	Keyset Paging = iota
	// SinceCursor cursors are the update time of the last record returned,
	// and the next page starts at that time inclusive, like services that
	// page with "updated_since=<last time seen>": records that share the
	// time of a page's last record come again on the next page.
	SinceCursor
)

// ServiceConfig configures a fake service. The zero value is a service
// with updated-since filtering, ascending keyset pages of at most 1000
// records, and update times.
type ServiceConfig struct {
	// MaxLimit is the largest page; larger requests get this many. Zero
	// means 1000.
	MaxLimit int
	// NoUpdatedSince makes the service reject updated_since with 400, like
	// services that cannot filter by update time.
	NoUpdatedSince bool
	// NoUpdateTimes makes the service leave update times out of records.
	NoUpdateTimes bool
	// Order and Paging: see their constants. SinceCursor needs ByUpdated.
	Order  Order
	Paging Paging
	// KeysetFallback makes a SinceCursor service take keyset cursors too
	// (HTTPConnector.KeysetCursor): a page asked with one is the page after
	// that (update time, ID), and its Next is a keyset cursor.
	KeysetFallback bool
	// Start is the service clock's first time; zero means 2025-01-01
	// 00:00 UTC. The clock moves one second per write (Put, Delete).
	Start time.Time
}

// Service is a fake paginated contact API on an httptest server, for the
// tests of connectors and of the Runner. It serves
//
//	GET /v1/accounts/{account}/contacts?limit=&updated_since=&cursor=&filter.<field>=
//	Authorization: Bearer <token>
//
// and answers {"contacts": [{"id", "updated_at", "fields"}], "next",
// "server_time"}: 401 for a wrong token, 404 for an unknown account, 400 for
// bad parameters ({"error": "unsupported_filter"} for a filter on a field
// not in Filterable), and whatever faults a test queues (429 with
// Retry-After, 5xx, slow pages). All its traffic stays on the loopback
// interface. It is safe for concurrent use.
type Service struct {
	cfg ServiceConfig
	srv *httptest.Server

	mu       sync.Mutex
	clock    time.Time
	accounts map[string]*account
	faults   []Fault
	delay    time.Duration
	onPage   func(account string, n int)
	pages    int
	requests []Request
	filters  []string
}

type account struct {
	token   string
	records map[string]Contact
}

// Contact is a record of the fake service.
type Contact struct {
	ID      string            `json:"id"`
	Updated time.Time         `json:"updated_at,omitzero"`
	Fields  map[string]string `json:"fields"`
}

// Fault is an answer the service gives instead of a page.
type Fault struct {
	// Status is the HTTP status (429, 500, 503, …).
	Status int
	// RetryAfter is the Retry-After header; empty for none.
	RetryAfter string
	// Delay holds the answer back this long (a slow page); with a zero
	// Status the page is then served normally.
	Delay time.Duration
	// Body, if not empty, is the answer's body instead of
	// {"error": "<status text>"} (a service that echoes the request, such
	// as `{"error":"invalid api key <token>"}`).
	Body string
}

// Request is a request the service received (without its credentials).
type Request struct {
	Account string
	Query   map[string]string
	Status  int
}

// NewService starts a fake service. Close it when done.
func NewService(cfg ServiceConfig) *Service {
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = 1000
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s := &Service{cfg: cfg, clock: cfg.Start, accounts: make(map[string]*account), filters: []string{"list"}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the service's base URL.
func (s *Service) URL() string { return s.srv.URL }

// Close shuts the service down.
func (s *Service) Close() { s.srv.Close() }

// Config returns the service's configuration.
func (s *Service) Config() ServiceConfig { return s.cfg }

// SetFilterable sets the fields the service can filter on; the default is
// "list".
func (s *Service) SetFilterable(fields ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filters = slices.Clone(fields)
}

// Filterable returns the fields the service can filter on.
func (s *Service) Filterable() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.filters)
}

// AddAccount creates an account reachable with token.
func (s *Service) AddAccount(name, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[name] = &account{token: token, records: make(map[string]Contact)}
}

// SetToken changes an account's token (the old one stops working).
func (s *Service) SetToken(name, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[name].token = token
}

// Now returns the service clock.
func (s *Service) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock
}

// tick moves the clock one second and returns it.
func (s *Service) tick() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

// Put creates or replaces a record; its update time is the service clock
// after one tick, which Put returns.
func (s *Service) Put(acct, id string, fields map[string]string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tick()
	s.accounts[acct].records[id] = Contact{ID: id, Updated: t, Fields: maps.Clone(fields)}
	return t
}

// PutAt creates or replaces a record with a given update time (for ties).
func (s *Service) PutAt(acct, id string, updated time.Time, fields map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if updated.After(s.clock) {
		s.clock = updated
	}
	s.accounts[acct].records[id] = Contact{ID: id, Updated: updated, Fields: maps.Clone(fields)}
}

// Delete removes a record; it reports whether there was one.
func (s *Service) Delete(acct, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.accounts[acct].records[id]
	delete(s.accounts[acct].records, id)
	s.tick()
	return ok
}

// Records returns an account's records in ID order.
func (s *Service) Records(acct string) []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Collect(maps.Values(s.accounts[acct].records))
	slices.SortFunc(out, func(a, b Contact) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Fail queues faults: each of the next requests gets the next fault.
func (s *Service) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// SetDelay holds back every page by d (slow pages).
func (s *Service) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// OnPage sets a function called before each page is computed, with the
// account and the number of pages served so far (0 before the first);
// tests change records there, between pages. It runs without the
// service's lock, so it may call Put and Delete.
func (s *Service) OnPage(f func(account string, served int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPage = f
}

// Requests returns the requests received so far.
func (s *Service) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Pages returns the number of pages served.
func (s *Service) Pages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pages
}

type response struct {
	Contacts   []Contact `json:"contacts"`
	Next       string    `json:"next,omitempty"`
	ServerTime time.Time `json:"server_time"`
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodGet || len(parts) != 4 || parts[0] != "v1" || parts[1] != "accounts" || parts[3] != "contacts" {
		http.NotFound(w, r)
		return
	}
	acctName := parts[2]
	q := r.URL.Query()
	req := Request{Account: acctName, Query: make(map[string]string)}
	for k := range q {
		req.Query[k] = q.Get(k)
	}
	status := s.answer(w, r, acctName, q)
	req.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
}

func writeErr(w http.ResponseWriter, status int, code string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":%q}`+"\n", code)
	return status
}

func (s *Service) answer(w http.ResponseWriter, r *http.Request, acctName string, q map[string][]string) int {
	s.mu.Lock()
	var fault *Fault
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		fault = &f
	}
	delay, onPage, served := s.delay, s.onPage, s.pages
	s.mu.Unlock()

	if fault != nil && fault.Delay > 0 {
		delay += fault.Delay
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return 499
		}
	}
	if fault != nil && fault.Status != 0 {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		if fault.Body != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(fault.Status)
			_, _ = io.WriteString(w, fault.Body)
			return fault.Status
		}
		return writeErr(w, fault.Status, http.StatusText(fault.Status))
	}

	s.mu.Lock()
	acct := s.accounts[acctName]
	s.mu.Unlock()
	if acct == nil {
		return writeErr(w, http.StatusNotFound, "unknown_account")
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	want := acct.token
	s.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(want)) != 1 {
		return writeErr(w, http.StatusUnauthorized, "invalid_token")
	}

	limit := s.cfg.MaxLimit
	if v := first(q["limit"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return writeErr(w, http.StatusBadRequest, "bad_limit")
		}
		limit = min(n, s.cfg.MaxLimit)
	}
	var since time.Time
	if v := first(q["updated_since"]); v != "" {
		if s.cfg.NoUpdatedSince {
			return writeErr(w, http.StatusBadRequest, "unsupported_parameter")
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return writeErr(w, http.StatusBadRequest, "bad_updated_since")
		}
		since = t
	}
	filters := make(map[string]string)
	filterable := s.Filterable()
	for k, v := range q {
		if f, ok := strings.CutPrefix(k, "filter."); ok {
			if !slices.Contains(filterable, f) {
				return writeErr(w, http.StatusBadRequest, "unsupported_filter")
			}
			filters[f] = first(v)
		}
	}
	var after *Contact
	keyset := s.cfg.Paging == Keyset
	if v := first(q["cursor"]); v != "" {
		var c *Contact
		var err error
		if rest, ok := strings.CutPrefix(v, keysetPrefix); ok && (s.cfg.Paging == Keyset || s.cfg.KeysetFallback) {
			c, err = decodeKeyset(rest)
			keyset = true
		} else {
			c, err = s.decodeCursor(v)
		}
		if err != nil {
			return writeErr(w, http.StatusBadRequest, "bad_cursor")
		}
		after = c
	}

	if onPage != nil {
		onPage(acctName, served)
	}

	s.mu.Lock()
	all := slices.Collect(maps.Values(acct.records))
	now := s.clock
	s.pages++
	s.mu.Unlock()
	s.sort(all)
	var page []Contact
	more := false
	for _, c := range all {
		if !since.IsZero() && c.Updated.Before(since) {
			continue
		}
		if !matches(c, filters) || !s.isAfter(c, after, keyset) {
			continue
		}
		if len(page) == limit {
			more = true
			break
		}
		page = append(page, c)
	}
	resp := response{Contacts: make([]Contact, len(page)), ServerTime: now}
	for i, c := range page {
		if s.cfg.NoUpdateTimes {
			c.Updated = time.Time{}
		}
		resp.Contacts[i] = c
	}
	if more {
		last := page[len(page)-1]
		if keyset && s.cfg.Paging != Keyset {
			resp.Next = encodeKeyset(last.Updated, last.ID)
		} else {
			resp.Next = s.encodeCursor(last)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
	return http.StatusOK
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func matches(c Contact, filters map[string]string) bool {
	for f, v := range filters {
		if c.Fields[f] != v {
			return false
		}
	}
	return true
}

func (s *Service) sort(cs []Contact) {
	slices.SortFunc(cs, func(a, b Contact) int {
		if s.cfg.Order == ByUpdated {
			if c := a.Updated.Compare(b.Updated); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// isAfter reports whether c comes after the cursor position.
func (s *Service) isAfter(c Contact, after *Contact, keyset bool) bool {
	if after == nil {
		return true
	}
	if !keyset {
		return !c.Updated.Before(after.Updated) // inclusive: ties come again
	}
	if s.cfg.Order == ByUpdated {
		if x := c.Updated.Compare(after.Updated); x != 0 {
			return x > 0
		}
	}
	return c.ID > after.ID
}

func (s *Service) encodeCursor(c Contact) string {
	if s.cfg.Paging == SinceCursor {
		return c.Updated.UTC().Format(time.RFC3339Nano)
	}
	return encodePosition(c.Updated, c.ID)
}

func (s *Service) decodeCursor(v string) (*Contact, error) {
	if s.cfg.Paging == SinceCursor {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, err
		}
		return &Contact{Updated: t}, nil
	}
	return decodePosition(v)
}

// keysetPrefix starts the keyset cursors of HTTPConnector.KeysetCursor.
const keysetPrefix = "k."

func encodeKeyset(updated time.Time, id string) string {
	return keysetPrefix + encodePosition(updated, id)
}

// decodeKeyset decodes a keyset cursor without its keysetPrefix.
func decodeKeyset(v string) (*Contact, error) { return decodePosition(v) }

// encodePosition encodes a position in (Updated, ID) order, the body of
// the service's opaque cursors and of keyset cursors.
func encodePosition(updated time.Time, id string) string {
	raw := strconv.FormatInt(updated.UnixNano(), 10) + ":" + id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodePosition decodes what encodePosition made.
func decodePosition(v string) (*Contact, error) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, err
	}
	ns, id, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, fmt.Errorf("bad cursor")
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return nil, err
	}
	return &Contact{ID: id, Updated: time.Unix(0, n).UTC()}, nil
}
