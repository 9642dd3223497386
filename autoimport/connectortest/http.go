package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// HTTPConnector is the reference HTTP connector: it reads the fake
// Service's API, and shows what a connector for a real service does: one
// request per page, the credentials only in the Authorization header, the
// service's answers translated into the errors the Runner understands
// (429 → *autoimport.RateLimitError with Retry-After, 5xx, 408 and network
// failures → importer.ErrTransient, 401/403 →
// autoimport.ErrInvalidCredentials, any other 4xx → autoimport.ErrRefused),
// and no credentials in any error: a response body never goes into an
// error as it is (a service may echo the credentials), only its error code
// when it is a short identifier, scrubbed of the credentials.
type HTTPConnector struct {
	// BaseURL is the service's URL (Service.URL()).
	BaseURL string
	// Client sends the requests; nil means a client with a 30 second
	// timeout per request.
	Client *http.Client
	// Meta is what Info returns.
	Meta autoimport.Info
	// Keyset reports that the service also takes keyset cursors
	// (KeysetCursor); with it the connector implements
	// autoimport.KeysetCursorer.
	Keyset bool
}

// StandardFields are the fake service's names of standard fields.
var StandardFields = map[string]mapping.Role{
	"email":      mapping.RoleEmail,
	"first_name": mapping.RoleFirstName,
	"last_name":  mapping.RoleLastName,
	"phone":      mapping.RolePhone,
}

// NewHTTPConnector returns a connector for svc, whose Info says what the
// service can do: service name "fake", the service's page limit,
// UpdatedSince unless NoUpdatedSince, Ascending when ordered ByUpdated,
// StandardFields and the service's filterable fields.
func NewHTTPConnector(svc *Service) *HTTPConnector {
	cfg := svc.Config()
	return &HTTPConnector{
		BaseURL: svc.URL(),
		Meta: autoimport.Info{
			Service: "fake", Label: "Fake CRM", PageLimit: cfg.MaxLimit,
			UpdatedSince: !cfg.NoUpdatedSince, Ascending: cfg.Order == ByUpdated,
			Fields: StandardFields, Filters: svc.Filterable(),
		},
		Keyset: cfg.Paging == Keyset || cfg.KeysetFallback,
	}
}

// KeysetCursor implements autoimport.KeysetCursorer: a cursor of the page
// after (updated, id) in (update time, ID) order, when c.Keyset.
func (c *HTTPConnector) KeysetCursor(updated time.Time, id string) (string, bool) {
	if !c.Keyset {
		return "", false
	}
	return encodeKeyset(updated, id), true
}

// Info implements autoimport.Connector.
func (c *HTTPConnector) Info() autoimport.Info { return c.Meta }

var defaultClient = &http.Client{Timeout: 30 * time.Second}

type wireContact struct {
	ID      string            `json:"id"`
	Updated *time.Time        `json:"updated_at"`
	Fields  map[string]string `json:"fields"`
}

type wirePage struct {
	Contacts   []wireContact `json:"contacts"`
	Next       string        `json:"next"`
	ServerTime time.Time     `json:"server_time"`
}

// Fetch implements autoimport.Connector.
func (c *HTTPConnector) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	q := url.Values{}
	if req.Limit > 0 {
		q.Set("limit", fmt.Sprint(req.Limit))
	}
	if !req.UpdatedSince.IsZero() {
		q.Set("updated_since", req.UpdatedSince.UTC().Format(time.RFC3339Nano))
	}
	if req.Cursor != "" {
		q.Set("cursor", req.Cursor)
	}
	for _, f := range req.Filters {
		if f.Op != "" && f.Op != autoimport.OpEquals {
			return nil, fmt.Errorf("connectortest: filter op %q: %w", f.Op, autoimport.ErrUnsupportedFilter)
		}
		q.Set("filter."+f.Field, f.Value)
	}
	u := c.BaseURL + "/v1/accounts/" + url.PathEscape(req.Account) + "/contacts?" + q.Encode()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("connectortest: request: %w", err)
	}
	hreq.Header.Set("Authorization", "Bearer "+req.Credentials.Reveal())
	client := c.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A timeout, a reset connection: worth another try. (The error
		// names the URL, which carries no credentials.)
		return nil, fmt.Errorf("connectortest: %w: %w", importer.ErrTransient, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &autoimport.RateLimitError{RetryAfter: autoimport.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("connectortest: account %s: status %d: %w", req.Account, resp.StatusCode, autoimport.ErrInvalidCredentials)
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout:
		return nil, fmt.Errorf("connectortest: status %d: %w", resp.StatusCode, importer.ErrTransient)
	default:
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&e)
		if e.Error == "unsupported_filter" {
			return nil, fmt.Errorf("connectortest: status %d: %w", resp.StatusCode, autoimport.ErrUnsupportedFilter)
		}
		code := "body withheld"
		if safeCode(e.Error) {
			code = autoimport.Scrub(e.Error, req.Credentials)
		}
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			return nil, fmt.Errorf("connectortest: account %s: status %d (%s): %w", req.Account, resp.StatusCode, code, autoimport.ErrRefused)
		}
		return nil, fmt.Errorf("connectortest: status %d (%s)", resp.StatusCode, code)
	}
	var wp wirePage
	dec := json.NewDecoder(io.LimitReader(resp.Body, 64<<20))
	if err := dec.Decode(&wp); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A body cut short is a transport failure.
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("connectortest: reading page: %w: %w", importer.ErrTransient, err)
		}
		return nil, decodeError(err, dec.InputOffset())
	}
	page := &autoimport.Page{Next: wp.Next, ServerTime: wp.ServerTime, Records: make([]autoimport.Record, len(wp.Contacts))}
	for i, wc := range wp.Contacts {
		rec := autoimport.Record{ID: wc.ID, Fields: wc.Fields}
		if wc.Updated != nil && !wc.Updated.IsZero() {
			rec.Updated = *wc.Updated
		}
		page.Records[i] = rec
	}
	return page, nil
}

// safeCode reports whether a service's error field is an identifier
// ("unknown_account") that may go into an error: at most 64 letters,
// digits, '_', '-' and '.'. Sentences, which may quote the request, are
// withheld.
func safeCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// decodeError describes a page that cannot be decoded without a byte of
// the body: the JSON decoder's and time.Parse's errors quote the values
// they met, and a service may echo the credentials in any of them.
func decodeError(err error, offset int64) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("connectortest: decoding page: malformed JSON at byte %d (body withheld)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("connectortest: decoding page: field %q is not a %s, at byte %d (body withheld)", typ.Field, typ.Type, typ.Offset)
	}
	return fmt.Errorf("connectortest: decoding page: a value of the wrong form before byte %d (body withheld)", offset)
}
