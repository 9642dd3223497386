package validate

// This file holds the configuration and result types that the other
// packages (mapping, accounts, importer, autoimport) program against.

// Kind is the kind of value a field holds. The zero Kind is treated as Text.
type Kind string

// The kinds of value a field can hold.
const (
	Text        Kind = "text"
	Email       Kind = "email"
	Phone       Kind = "phone"
	Date        Kind = "date"
	Integer     Kind = "integer"
	Decimal     Kind = "decimal"
	Boolean     Kind = "boolean"
	Enum        Kind = "enum"
	MultiSelect Kind = "multiselect"
)

// Option is one allowed value of an Enum or MultiSelect field.
type Option struct {
	// ID is the stored value, e.g. "subscribed".
	ID string `json:"id"`
	// Label is shown to people; if empty, ID is shown.
	Label string `json:"label,omitempty"`
	// Synonyms are further raw values accepted for this option,
	// matched case-insensitively, e.g. "yes" for "subscribed".
	Synonyms []string `json:"synonyms,omitempty"`
}

// Rules configures the rule of one kind. The zero value is useful: it gives
// the strict, documented defaults of each kind.
type Rules struct {
	// Text: MaxLength is the maximum length in runes; zero means no limit.
	MaxLength int `json:"max_length,omitempty"`
	// Text: KeepSpace keeps leading and trailing white space; by default it is trimmed.
	KeepSpace bool `json:"keep_space,omitempty"`

	// Email: AllowDisplayName extracts the address from "Name <a@b.c>";
	// by default that form is an error (CodeEmailDisplayName) that carries the address.
	AllowDisplayName bool `json:"allow_display_name,omitempty"`
	// Email: AllowSingleLabelDomain accepts domains without a dot ("a@localhost").
	AllowSingleLabelDomain bool `json:"allow_single_label_domain,omitempty"`

	// Phone: DefaultRegion is the ISO 3166-1 alpha-2 region for national
	// numbers (e.g. "US", "ES"); empty means numbers must be international.
	DefaultRegion string `json:"default_region,omitempty"`
	// Phone: KeepExtension keeps an extension in the result (Result.Extension);
	// by default a number with an extension is an error (CodePhoneExtension).
	KeepExtension bool `json:"keep_extension,omitempty"`

	// Date: Layouts are Go time layouts tried, in order, after ISO 8601 yyyy-mm-dd.
	Layouts []string `json:"layouts,omitempty"`
	// Date: ExcelSerial accepts Excel serial day numbers (1900 date system).
	ExcelSerial bool `json:"excel_serial,omitempty"`

	// Integer: AllowLeadingZero accepts "08123" as 8123; by default it is an error.
	AllowLeadingZero bool `json:"allow_leading_zero,omitempty"`
	// Decimal: DecimalComma accepts "3,5" as 3.5.
	DecimalComma bool `json:"decimal_comma,omitempty"`

	// Enum, MultiSelect: Options are the allowed values.
	Options []Option `json:"options,omitempty"`
	// MultiSelect: AnyValue accepts any non-empty value (tags), not only Options.
	AnyValue bool `json:"any_value,omitempty"`
	// MultiSelect: Separator splits a cell into values; empty means "|".
	Separator string `json:"separator,omitempty"`
}

// Result is a normalized value.
type Result struct {
	// Value is the normalized value as stored: e-mail with lower-cased
	// domain, phone in E.164, date as yyyy-mm-dd, integer and decimal in
	// canonical form, boolean "true"/"false", enum option ID, multi-select
	// option IDs joined by "|".
	Value string
	// Values holds the individual values of a MultiSelect, in first-seen
	// order without duplicates; nil otherwise.
	Values []string
	// Key is the dedupe key: the whole address lower-cased for Email,
	// E.164 (without extension) for Phone; empty for other kinds.
	Key string
	// Extension is a phone extension kept with Rules.KeepExtension.
	Extension string
	// Warning is a problem that does not reject the value, e.g. a likely
	// typo in an e-mail domain (CodeEmailTypo, with a Suggestion). Nil if none.
	Warning *Error
}
