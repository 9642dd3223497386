// Package validate turns raw cell values into normalized values, one rule
// per kind of field, or says precisely why it cannot, with a stable code.
// It is the lowest floor of contactkit: the importer, the mapping engine
// and automatic import all use it, and it imports nothing of this module.
//
// # Usage
//
// Compile a [Rule] once per field and import, then call [Rule.Check] for
// every value; a Rule is safe for concurrent use. [Value] does both for
// one-off calls.
//
//	rule, err := validate.New(validate.Phone, validate.Rules{DefaultRegion: "ES"})
//	if err != nil { … }                          // bad configuration: errors.Is(err, validate.ErrKind)
//	res, err := rule.CheckRegion(cell, country)  // country from another column, may be ""
//	if err != nil {                               // bad value: a row error, not a failure
//		code := validate.CodeOf(err)              // "phone.too_short", …
//	}
//	store(res.Value)                              // "+34612345678"
//
// An empty (after trimming) value is never validated: Check returns the
// zero [Result] and a nil error, and the caller decides whether the field
// is required ([CodeRequired]) or the cell means "no value".
//
// Check does not allocate when the normalized value equals the trimmed
// input: Result.Value is then a substring of the input. Phone parsing is
// the exception (libphonenumber allocates), and MultiSelect allocates its
// Result.Values. The benchmarks in bench_test.go give the costs.
//
// # Kinds
//
// Text: trimmed unless KeepSpace; invalid UTF-8 rejected; control
// characters rejected except tab, line feed and carriage return (multi-line
// notes arrive in quoted CSV cells); MaxLength counts runes.
//
// Email: trimmed; the local part is a dot-atom and is kept as written (a
// non-ASCII one, valid under RFC 6531, is NFC-normalized and accepted with
// the warning email.non_ascii; Rules.ASCIILocal refuses it); the domain is
// lower-cased, Unicode domains are normalized to NFC, and A-labels
// ("xn--bcher-kva.de") are decoded, so both forms of a domain are one
// stored value, in Unicode ("bücher.de"); at most 64 bytes before "@" and
// 254 in all; a dot in the domain unless AllowSingleLabelDomain. "Name
// <a@b.c>", "<a@b.c>" and "mailto:a@b.c" are reduced to the address with
// the warning email.display_name (none with AllowDisplayName).
// Result.Key is the whole address lower-cased. A likely
// typo of a common mailbox domain (gmial.com, hotmial.com, x.con) is a
// Result.Warning with a Suggestion; the value itself is never changed.
// Where this differs from RFC 5322 on purpose (quoted local parts,
// comments and IP-literal domains are rejected), testdata/email_lists.tsv
// marks it against published test lists.
//
// Phone: parsed with github.com/nyaruka/phonenumbers (libphonenumber
// metadata) and returned in E.164; Result.Key is the same. Numbers may be
// international ("+34 …" or "0034 …", whatever the region's own prefix)
// or national, read in the row's region (CheckRegion: ISO alpha-2 or
// alpha-3 code, or a country name in English, DE FR ES IT PT NL SV PL TR
// RU JA ZH or KO; see Region) or else Rules.DefaultRegion.
// Spaces, dashes, dots, slashes and parentheses are ignored. Numbers that
// a spreadsheet turned into 4.4207946E+11 or 34612345678.0 are reported
// as such, with the E.164 number as Suggestion when the digits survive. An
// extension ("ext. 12", "x12", "#12", ";ext=12") never costs the number:
// Value is the E.164 number followed by the extension in RFC 3966 form
// ("+14155550132;ext=12"), or with KeepExtension the E.164 number alone,
// for hosts that store Result.Extension in a field of its own; Key is the
// E.164 number and Result.Extension the extension. Numbers are checked by automata
// compiled once per region, lazily, from phonenumbers' own metadata, which
// give the same verdicts and E.164 output as phonenumbers (a differential
// test proves it) at a small fraction of the cost; phonenumbers itself
// handles what the automata do not cover (non-ASCII digits, for one).
// The automata re-implement steps of phonenumbers v1.8.1 and are used only
// with it: a program built with another phonenumbers release (a host's
// go.mod may select a newer one) or other metadata sends every number to
// phonenumbers itself: slower, never different.
//
// Date: ISO 8601 yyyy-mm-dd, optionally followed by a time that is dropped
// (the date is kept as written, not converted between time zones); then
// Rules.Layouts, Go time layouts, in order ("02/01/2006", "01/02/2006",
// "02 Jan 2006", "2-Jan-06"). Without Layouts, the forms files really
// have: d/m/y, m/d/y and y/m/d with "/", "." or "-" (one- or two-digit day
// and month, optionally followed by a time: "8/28/1975", "28.08.1975",
// "28-08-75 0:00"); a month name or abbreviation in English, German,
// French, Spanish, Italian, Portuguese or Dutch with a day and a year in
// either order ("Aug 28, 1975", "28. August 1975", "28 de agosto de
// 1975", "1975-Aug-28"); yyyymmdd; five-digit Excel serials. A two-digit
// year is 20yy below [TwoDigitYearPivot] (30) and 19yy from it. The order
// of day and month comes from Rules.DateOrder (mapping decides it per
// column from the values with [DetectDateOrder]); without one, each value
// reads the only way it is a real date, and one that reads both ways
// reads month first in the regions of [MonthFirstRegion] (and without a
// region), day first elsewhere and always with dots. Excel serial day
// numbers (1900 date system, with its phantom 1900-02-29) of any length
// are read with ExcelSerial. The "no date" values of exporters ([NoDate]:
// Outlook's 0/0/00 and 1/1/4501, 00.00.0000, 0000-00-00) are empty. The
// result is yyyy-mm-dd. A Birthday (Rules.Birthday) may have no year
// ("--08-28", "28.08.", "Aug 28") and is then kept as --mm-dd, the vCard
// (RFC 6350) form; a birthday before 1900 or after today is
// date.out_of_range.
//
// Integer: an optional sign and ASCII digits within int64; canonical form
// without "+" or leading zeros. A leading zero is an error unless
// AllowLeadingZero: "08123" is a code, not a number.
//
// Decimal: an optional sign, digits and one decimal point ("," too with
// DecimalComma); thousands separators in both conventions ("1,234.56",
// "1.234,56", "1 234,56", "1'234.56": with both "." and ",", the last one
// is the decimal separator; several of one kind, or one comma followed by
// exactly three digits without DecimalComma, separate thousands; groups
// of three digits); no exponents. Canonical form:
// "." as separator, no "+", no leading zeros, no trailing fractional
// zeros ("+003,50" → "3.5").
//
// Boolean: true/false, yes/no, y/n, t/f, 1/0, and yes/no and true/false
// in German (ja/nein, wahr/falsch), French (oui/non, vrai/faux), Spanish
// and Italian (sí/si/sì/no, verdadero/vero/falso), Portuguese (sim/não),
// Dutch (ja/nee, waar/onwaar), Polish (tak/nie, prawda/fałsz) and Swedish
// (ja/nej, sant/falsk), in any case → "true"/"false".
//
// Enum: one of Options by ID, label or synonym, case- and
// accent-insensitively ("Paying customer", "ABONNE" for "Abonné") → the
// ID. A label that names another option's ID or synonym does not take it.
//
// MultiSelect: split on Separator ("|" by default), trimmed, empty parts
// dropped, each mapped to its option ID (or kept as written with
// AnyValue), duplicates removed keeping the first-seen order. Value is the
// IDs joined by "|", Values the slice.
//
// # Sniffers
//
// [LooksLikeEmail], [LooksLikePhone], [LooksLikeDate], [LooksLikeInteger],
// [LooksLikeDecimal] and [LooksLikeBoolean] are cheap, allocation-free
// shape checks; [Sniff] tells which kind most values of a column look like,
// so the mapping engine can confirm or question a column (an e-mail column
// full of phone numbers).
//
// # Errors
//
// Every rejected value is an [*Error] with a stable [Code], the raw Value,
// an English Message, and where it helps a Suggestion or the Allowed
// values. Check it with errors.As, with errors.Is against the sentinel of
// its kind ([ErrEmail] matches every "email.*" code, [ErrInvalid] every
// code), or errors.Is against &Error{Code: …}; [CodeOf] extracts the code.
// Never match on message text. The codes:
//
//	value.required             CodeRequired: for callers; Check never returns it
//	text.too_long              more runes than MaxLength
//	text.control_char          a control character other than tab, LF, CR
//	text.invalid_utf8          bytes that are not UTF-8
//	email.invalid              no "@", bad local part (quoted, spaces, symbols, dots; non-ASCII with ASCIILocal)
//	email.display_name         Result.Warning only: "Name <a@b.c>", "<a@b.c>" or "mailto:a@b.c" reduced to the address (Suggestion)
//	email.too_long             more than 254 bytes (or a domain over 253)
//	email.local_too_long       more than 64 bytes before "@"
//	email.domain               bad domain: no dot, bad label, IP address or literal
//	email.typo                 Result.Warning only: a likely typo; Suggestion is the fixed address
//	email.non_ascii            Result.Warning only: a non-ASCII local part (RFC 6531), which only SMTPUTF8 servers deliver to
//	phone.invalid              a possible length but no such number range, or a stray character
//	phone.too_short            too few digits, or a local number without area code
//	phone.too_long             too many digits
//	phone.impossible           unknown country code, or a length no number of the country has
//	phone.region               a national number and no region to read it in
//	phone.spreadsheet_mangled  4.4207946E+11 or 34612345678.0; Suggestion if recoverable
//	phone.extension            no longer returned: an extension is kept (see Phone)
//	phone.not_a_number         no digits at all, or text
//	date.format                fits no accepted layout
//	date.impossible            the right shape but no such day (2023-02-30, serial 60, 13/02/2024 in a month-first column)
//	date.out_of_range          a Birthday before 1900 or in the future
//	integer.format             not an optional sign and digits
//	integer.leading_zero       "08123" without AllowLeadingZero
//	integer.range              outside int64
//	decimal.format             not a decimal number in the accepted form
//	boolean.format             not one of the accepted spellings
//	enum.unknown               no such option; Allowed lists the IDs, Suggestion a near one
//	multiselect.unknown        some values are no option; Allowed, Suggestion the fixed cell
//	multiselect.invalid        a free value (AnyValue) containing "|", a control character or invalid UTF-8
//	kind.unknown               New: no such Kind
//	kind.rules                 New: Rules that cannot work
//
// New returns errors.Is(err, [ErrKind]) for the last two; Check never does.
package validate
