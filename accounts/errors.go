package accounts

import (
	"errors"
	"strconv"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// The codes of package accounts, in the "area.reason" form of
// [validate.Code]. Codes never change once published; hosts may store and
// translate them. They appear in [Resolution.Code] and [Error.Code].
const (
	// CodeEmptyName: the row has no account name (an empty cell), and no
	// account was found by its e-mail domain. The contact is not linked.
	CodeEmptyName validate.Code = "account.empty_name"
	// CodeInvalidName: the account name is not valid UTF-8 or holds
	// control characters, so no account can be found or created for it.
	CodeInvalidName validate.Code = "account.invalid_name"
	// CodeNotFound: no account has the name and [Resolver.Missing] does not
	// create one (LinkOnly, FailRow); or, from an [Updater], an unknown ID.
	CodeNotFound validate.Code = "account.not_found"
	// CodeNearDuplicate: a new account was (or in a dry run would be)
	// created although its name is close to an existing account or to
	// another name of the same import; [Resolution.NearDuplicateOf] names it.
	// A warning: the contact is linked.
	CodeNearDuplicate validate.Code = "account.near_duplicate"
	// CodeAmbiguousDomain: several accounts have the contact's e-mail
	// domain; the contact was linked to the oldest. A warning.
	CodeAmbiguousDomain validate.Code = "account.domain_ambiguous"
	// CodeNotMapped: the import has no account column mapped, so no
	// contact is linked (ActiveCampaign: "contacts will not be linked").
	// The Resolver never returns it; the importer reports it once.
	CodeNotMapped validate.Code = "account.not_mapped"
)

// Error is an account problem with a stable Code: the problem of one row
// (from [Resolution.Err]) or a store's refusal ([ErrEmptyName] from
// CreateAccounts, [ErrNotFound] from UpdateAccounts). Use errors.As to get
// it, or errors.Is with the sentinel of its code.
type Error struct {
	// Code is the stable reason, one of the Code… constants.
	Code validate.Code
	// Name is the account name concerned, if any.
	Name string
	// ID is the account ID concerned, if any.
	ID string
	// Message is a sentence for people, in English; if empty, one is made
	// from Code, Name and ID.
	Message string
}

// Error returns "accounts: <code>: <message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("accounts: ")
	b.WriteString(string(e.Code))
	msg := e.Message
	if msg == "" {
		switch {
		case e.Name != "":
			msg = "account " + quote(e.Name)
		case e.ID != "":
			msg = "account ID " + quote(e.ID)
		}
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// Is reports whether target is the sentinel of e's Code (ErrNotFound for
// CodeNotFound, and so on) or an *Error with the same Code.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code
	}
	if s, ok := target.(*sentinel); ok {
		return s.code != "" && s.code == e.Code
	}
	return false
}

type sentinel struct {
	code validate.Code
	msg  string
}

func (s *sentinel) Error() string { return s.msg }

// Sentinels for errors.Is. The first five match the *Error of their code.
var (
	// ErrEmptyName: an account without a name. CreateAccounts returns it
	// (wrapped or as an *Error) for a name that is empty after trimming
	// white space.
	ErrEmptyName error = &sentinel{CodeEmptyName, "accounts: empty account name"}
	// ErrInvalidName matches *Error with CodeInvalidName.
	ErrInvalidName error = &sentinel{CodeInvalidName, "accounts: invalid account name"}
	// ErrNotFound: no such account. UpdateAccounts returns it for an
	// unknown ID; Resolution.Err returns it for a name not found.
	ErrNotFound error = &sentinel{CodeNotFound, "accounts: account not found"}
	// ErrNearDuplicate matches *Error with CodeNearDuplicate.
	ErrNearDuplicate error = &sentinel{CodeNearDuplicate, "accounts: near-duplicate account name"}
	// ErrAmbiguousDomain matches *Error with CodeAmbiguousDomain.
	ErrAmbiguousDomain error = &sentinel{CodeAmbiguousDomain, "accounts: several accounts have the domain"}

	// ErrNoStore: a Resolver without a Store.
	ErrNoStore = errors.New("accounts: resolver has no store")
	// ErrUnsupported: the Resolver's configuration needs an ability the
	// Store lacks (MatchNormalized needs a KeyFinder or a Lister;
	// ByEmailDomain needs a DomainFinder or a Lister).
	ErrUnsupported = errors.New("accounts: store does not support this")
	// ErrBadStore: a Store broke its contract (a result of the wrong
	// length, a created account without an ID).
	ErrBadStore = errors.New("accounts: store broke its contract")
)

func quote(s string) string { return strconv.Quote(s) }
