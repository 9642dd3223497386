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

	// Email: "Name <a@b.c>" and "mailto:a@b.c" are reduced to the address
	// with the warning CodeEmailDisplayName; AllowDisplayName drops the
	// warning.
	AllowDisplayName bool `json:"allow_display_name,omitempty"`
	// Email: ASCIILocal refuses a non-ASCII part before "@"
	// (CodeEmailInvalid); by default it is accepted with the warning
	// CodeEmailNonASCII.
	ASCIILocal bool `json:"ascii_local,omitempty"`
	// Email: AllowSingleLabelDomain accepts domains without a dot ("a@localhost").
	AllowSingleLabelDomain bool `json:"allow_single_label_domain,omitempty"`

	// Phone: DefaultRegion is the ISO 3166-1 alpha-2 region for national
	// numbers (e.g. "US", "ES"); empty means numbers must be international.
	// Date: the region whose order reads an ambiguous n/n/yyyy value.
	DefaultRegion string `json:"default_region,omitempty"`
	// Phone: an extension ("ext. 22", "x22", "#22") is kept: by default
	// Value is the E.164 number with the extension in RFC 3966 form
	// ("+14155550132;ext=22"); with KeepExtension, Value is the E.164
	// number alone and the host stores Result.Extension in a field of its
	// own. Either way Key is the E.164 number and Result.Extension the
	// extension.
	KeepExtension bool `json:"keep_extension,omitempty"`

	// Date: Layouts are Go time layouts tried, in order, after ISO 8601
	// yyyy-mm-dd. Without Layouts the common forms are read (d/m/y and m/d/y
	// with "/", "." or "-", month names in seven languages, yyyymmdd,
	// five-digit Excel serials; see the package documentation).
	Layouts []string `json:"layouts,omitempty"`
	// Date: ExcelSerial accepts Excel serial day numbers (1900 date system)
	// of any length.
	ExcelSerial bool `json:"excel_serial,omitempty"`
	// Date: DateOrder is the order of n/n/yyyy values without Layouts:
	// OrderDayFirst or OrderMonthFirst read every such value that way (the
	// order mapping decides per column from its values). Any other value
	// reads each value the only way it is a real date, and one that is a
	// real date both ways month first if MonthFirstRegion(DefaultRegion),
	// day first otherwise; a value with dots (03.04.2020) is always day first.
	DateOrder DateOrder `json:"date_order,omitempty"`
	// Date: Birthday makes the field a birthday: a day and month without a
	// year ("--08-28", "28.08.", "Aug 28") is kept as --mm-dd (the vCard
	// form of RFC 6350), and a date before 1900 or after today is
	// CodeDateRange.
	Birthday bool `json:"birthday,omitempty"`

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
	// Extension is a phone number's extension ("22"), also when Value
	// carries it as ";ext=22".
	Extension string
	// Warning is a problem that does not reject the value, e.g. a likely
	// typo in an e-mail domain (CodeEmailTypo, with a Suggestion). Nil if none.
	Warning *Error
}
