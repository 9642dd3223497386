package autoimport

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/contactkit/contactkit/mapping"
)

// FieldCatalog is the host's catalogue of contact fields, per workspace:
// the schema the importer validates against, and the custom fields with
// their personalization tags. Automatic import creates a custom field for
// each field name of a service that is not a standard field (Info.Fields),
// tagged with a tag derived from the name (see Tag). Implementations must
// be safe for concurrent use; memstate.Fields is the in-memory reference
// and statetest.RunFields its conformance suite.
type FieldCatalog interface {
	// Schema returns the workspace's contact schema, custom fields
	// included; it must pass mapping.Schema.Validate. The result belongs
	// to the caller and is non-nil when the error is nil.
	Schema(ctx context.Context, workspace string) (*mapping.Schema, error)

	// EnsureField returns the key of the workspace's field whose
	// personalization tag is tag. If there is none, it creates a text
	// custom field with that tag and label and reports created. Two calls
	// with one tag, even concurrent, yield one field. It never changes
	// an existing field: its label stays what the host made it.
	EnsureField(ctx context.Context, workspace, tag, label string) (key string, created bool, err error)
}

// maxTagLen is the longest tag Tag returns, suffix included.
const maxTagLen = 50

// Tag derives a personalization tag from a service's field name: letters
// are upper-cased and stripped of accents, digits kept, every other run of
// characters becomes one "_", with none at the ends; a tag that would start
// with a digit gets a leading "F_"; a name with neither letters nor digits
// gives "FIELD". Tags are at most 50 bytes. "Company Affiliations" gives
// COMPANY_AFFILIATIONS, "E-mail (work)" gives E_MAIL_WORK.
func Tag(name string) string {
	var b strings.Builder
	under := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // accents of decomposed letters
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(unicode.ToUpper(r))
		case r == 'ß':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteString("SS")
		default:
			under = true
		}
		if b.Len() >= maxTagLen {
			break
		}
	}
	t := b.String()
	if t == "" {
		return "FIELD"
	}
	if t[0] >= '0' && t[0] <= '9' {
		t = "F_" + t
	}
	return trimTag(t, maxTagLen)
}

// suffixTag returns tag with the collision suffix n (n >= 2): TAG_2.
func suffixTag(tag string, n int) string {
	s := "_" + strconv.Itoa(n)
	return trimTag(tag, maxTagLen-len(s)) + s
}

func trimTag(t string, n int) string {
	if len(t) > n {
		t = t[:n]
	}
	return strings.TrimRight(t, "_")
}

// Presence marks contacts that a service no longer returns. For services
// without Info.UpdatedSince every sync is a full fetch, numbered (a sweep);
// the Runner reports each page's records as present, and when a full fetch
// completes it asks to mark the contacts that an earlier sweep returned and
// this one did not. Marking is the host's business (a flag, a tag, a
// timestamp): it must never delete a contact nor change its subscription
// status. The Runner passes the external IDs as it stores them in
// importer.Contact.ExternalID.
//
// Presence is optional (Config.Presence); without it nothing is marked.
// Implementations must be safe for concurrent use and idempotent: after a
// crash the Runner repeats calls. memstate.Presence is the in-memory
// reference and statetest.RunPresence its conformance suite.
type Presence interface {
	// Present records that sweep of the import returned these contacts.
	// A contact present again after having been marked gone is no longer
	// gone.
	Present(ctx context.Context, ref Ref, sweep int64, externalIDs []string) error

	// MarkGone marks as no longer present at the source every contact of
	// the import that was present in an earlier sweep and not in sweep,
	// and returns how many it newly marked (0 when repeated).
	MarkGone(ctx context.Context, ref Ref, sweep int64) (int, error)
}
