package autoimport

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// Connector reads contacts from one external service (a CRM, a shop, a
// project tool). The host implements one per service; one Connector value
// serves every import of that service, each call naming the account and
// credentials to use. Implementations must be safe for concurrent use.
//
// A Connector only fetches: paging state lives in the cursor it returns,
// retries and watermarks are the Runner's business. Package
// autoimport/connectortest has a conformance suite for connectors, a fake
// paginated service, and a reference HTTP connector.
type Connector interface {
	// Info describes the service. It must return the same value every
	// time.
	Info() Info

	// Fetch returns one page of records: the first page when req.Cursor is
	// empty, else the page after the one that returned req.Cursor. With a
	// non-zero req.UpdatedSince (only sent when Info().UpdatedSince is
	// true) it returns only records whose update time is at or after it
	// (inclusive, >=). It returns at most req.Limit records.
	//
	// Asking again with the same request returns the same page as far as
	// the service's data has not changed: a cursor must be a stable
	// position (a keyset such as "after update time T and ID X"), never an
	// offset, or records that change during a sync can be skipped.
	//
	// Errors: a *RateLimitError when the service says to slow down (HTTP
	// 429, with its Retry-After); an error matching importer.ErrTransient for a
	// failure worth retrying (HTTP 5xx, timeouts, connection resets); an
	// error matching ErrInvalidCredentials when the service rejects the
	// credentials (HTTP 401/403): the Runner stops and marks the import as
	// needing attention; an error matching ErrRefused when the service
	// refuses the request itself (another HTTP 4xx: unknown account, bad
	// parameter): the import needs attention too, it is not retried. Any
	// other error ends the run and is retried with backoff. Errors must
	// not include the credentials, and should not include response bodies
	// (a service may echo the credentials); the Runner scrubs the
	// credentials from them anyway (see Scrub). A nil error comes with a
	// non-nil Page.
	Fetch(ctx context.Context, req FetchRequest) (*Page, error)
}

// KeysetCursorer is an optional interface of a Connector whose service can
// also page by keyset (update time, then ID). The Runner uses it when the
// service's own cursor makes no progress: more records share one update
// time than a page holds, and the service's cursor ("updated since the
// last time seen") keeps returning the same page.
type KeysetCursorer interface {
	// KeysetCursor returns a cursor, for FetchRequest.Cursor, of the page
	// of records after the one updated at updated with ID id, in (update
	// time, ID) order, for the same request otherwise; ok is false when
	// the service cannot page that way.
	KeysetCursor(updated time.Time, id string) (cursor string, ok bool)
}

// Info describes a service and its abilities.
type Info struct {
	// Service is the service's name, unique among a Runner's connectors
	// ("hubspot", "shopify"). Definitions name it.
	Service string
	// Label is the service's name for people; if empty, Service is used.
	Label string
	// PageLimit is the largest page the service returns (200 to 1000 is
	// typical). The Runner asks for this many records per page; zero
	// means 100.
	PageLimit int
	// UpdatedSince reports that Fetch honours FetchRequest.UpdatedSince.
	// Services without it are re-fetched in full on a longer schedule, and
	// contacts a complete fetch no longer returns are marked as gone from
	// the source (see Presence).
	UpdatedSince bool
	// Ascending reports that pages come in ascending update time order (ties
	// in a stable order), so a record updated during a sync shows up again
	// on a later page. Without it, the Runner caps the next watermark at the
	// service's clock when the sync started (Page.ServerTime), when the
	// service tells it.
	Ascending bool
	// LookBack is how far before the watermark incremental syncs start, for
	// records that become visible late (replication lag, long
	// transactions); zero means DefaultLookBack, negative means none.
	// Config.LookBack overrides it.
	LookBack time.Duration
	// Fields maps the service's names of standard fields to the roles of
	// the host's schema: {"email": mapping.RoleEmail, "firstname":
	// mapping.RoleFirstName}. One name must map to mapping.RoleEmail.
	// Every other field name of the records becomes a custom field
	// (see FieldCatalog).
	Fields map[string]mapping.Role
	// Filters lists the fields Fetch can filter on; nil means Fetch
	// accepts no filters at all.
	Filters []string
}

// label returns Label, or Service.
func (i Info) label() string {
	if i.Label != "" {
		return i.Label
	}
	return i.Service
}

// FetchRequest asks a Connector for one page.
type FetchRequest struct {
	// Account is the service account to read (a portal, a store, a
	// workspace at the service).
	Account string
	// Credentials are the import's credentials, opened. Never log them.
	Credentials Secret
	// Filters narrow what is fetched; every filter must hold (AND).
	Filters []Filter
	// UpdatedSince, when not zero, asks only for records updated at or
	// after it. It is zero on a first sync, on full re-fetches, and always
	// for services without Info.UpdatedSince.
	UpdatedSince time.Time
	// Cursor is the Next of the previous page; empty for the first page.
	Cursor string
	// Limit is the most records wanted; it is at most Info.PageLimit.
	Limit int
}

// Filter narrows the records an import fetches. Which fields a service can
// filter on is in Info.Filters; what Op and Value mean beyond equality is
// the connector's to document.
type Filter struct {
	// Field is the service's field name.
	Field string `json:"field"`
	// Op is the comparison; "" means OpEquals.
	Op string `json:"op,omitempty"`
	// Value is compared with the field's value.
	Value string `json:"value"`
}

// OpEquals is the default filter comparison: the field's value equals Value.
const OpEquals = "eq"

// Page is one page of records.
type Page struct {
	// Records are the page's records. Empty pages are allowed.
	Records []Record
	// Next is the cursor of the next page; empty on the last page.
	Next string
	// ServerTime is the service's clock when it answered (an HTTP Date
	// header, a response field); zero if unknown.
	ServerTime time.Time
}

// Record is one contact as the service has it.
type Record struct {
	// ID is the record's ID at the service; not empty, unique per account.
	ID string
	// Updated is the record's last update time at the service; zero if the
	// service does not say.
	Updated time.Time
	// Fields are the record's values in the service's own field names. A
	// missing name means the record has no such value; "" means the value
	// is empty.
	Fields map[string]string
}

// Connector errors.
var (
	// ErrTransient matches a failure worth retrying (HTTP 5xx, timeouts).
	// Connectors wrap it: fmt.Errorf("shop: status %d: %w", code, importer.ErrTransient).
	//
	// Deprecated: it is importer.ErrTransient, the module's one transient
	// sentinel; errors.Is matches either name.
	ErrTransient = importer.ErrTransient
	// ErrInvalidCredentials matches a service refusing the import's
	// credentials. The Runner stops and marks the import as needing
	// attention (see ErrNeedsAttention).
	ErrInvalidCredentials = errors.New("autoimport: invalid credentials")
	// ErrUnsupportedFilter: a filter names a field or an Op the connector
	// cannot filter on.
	ErrUnsupportedFilter = errors.New("autoimport: unsupported filter")
	// ErrRefused matches a service refusing the request itself (HTTP 4xx
	// other than 401, 403 and 429: an unknown account, a parameter it does
	// not take). Asking again changes nothing: the Runner stops and marks
	// the import as needing attention (AttentionRefused).
	ErrRefused = errors.New("autoimport: the service refused the request")
)

// RateLimitError is what a Connector returns when the service asks to slow
// down (HTTP 429). The Runner waits RetryAfter (or its own backoff, if
// longer) and tries again; when RetryAfter is longer than
// RetryConfig.MaxRetryAfter, the run ends with a *RetryLaterError.
type RateLimitError struct {
	// RetryAfter is how long the service asked to wait; zero if it did not
	// say.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return "autoimport: rate limited, retry after " + e.RetryAfter.String()
	}
	return "autoimport: rate limited"
}

// ParseRetryAfter reads an HTTP Retry-After header value (seconds, or an
// HTTP date relative to now). It returns 0 for an empty or unreadable value
// and for dates in the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(365*24*time.Hour/time.Second) {
			n = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	for _, layout := range []string{time.RFC1123, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	return 0
}
