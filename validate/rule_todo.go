package validate

// TODO(validate): every function in this file is being implemented; the
// signatures are fixed.

// Rule is a compiled rule for one kind with its Rules. Compile it once per
// field per import; it is safe for concurrent use by many goroutines.
type Rule struct {
	kind  Kind
	rules Rules
}

// New compiles the rule for kind. It fails with ErrKind for an unknown kind
// and for Rules that cannot work (an Enum without Options, an unknown
// DefaultRegion).
func New(kind Kind, r Rules) (*Rule, error) { panic("TODO(validate)") }

// Kind returns the rule's kind.
func (r *Rule) Kind() Kind { return r.kind }

// Check validates raw. An empty (after trimming) raw value is never checked
// here: callers decide whether empty is allowed (CodeRequired).
// The error, if any, is an *Error.
func (r *Rule) Check(raw string) (Result, error) { panic("TODO(validate)") }

// CheckRegion is Check with a per-row phone region, given as an ISO 3166-1
// alpha-2 code or an English country name ("Spain"); an empty or unknown
// region falls back to Rules.DefaultRegion. For other kinds it is Check.
func (r *Rule) CheckRegion(raw, region string) (Result, error) { panic("TODO(validate)") }

// Value validates raw as kind with rules: New followed by Check, for one-off
// calls. Hot paths compile a Rule once.
func Value(kind Kind, raw string, r Rules) (Result, error) { panic("TODO(validate)") }

// DateOrder tells whether a column of dates is day-first, month-first, or
// ambiguous (every value reads both ways), for the importer to ask instead
// of guessing.
type DateOrder int

// The date orders of a column.
const (
	OrderUnknown    DateOrder = iota // no value has a d/m or m/d layout
	OrderDayFirst                    // some value only reads day-first (13/02/2024)
	OrderMonthFirst                  // some value only reads month-first (02/13/2024)
	OrderAmbiguous                   // every value reads both ways
	OrderConflict                    // values disagree: some only day-first, some only month-first
)

// DetectDateOrder inspects a column's values.
func DetectDateOrder(values []string) DateOrder { panic("TODO(validate)") }
