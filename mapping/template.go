package mapping

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gocarina/gocsv"

	"github.com/contactkit/contactkit/validate"
)

// WriteTemplate writes the template CSV of s, the file people download and
// fill in: a header of the fields' labels (keys where a label is empty)
// and one example row, each example valid for its field's rules (a cell is
// left empty where no example fits). Cells that a spreadsheet could read
// as a formula get a leading apostrophe (see NeutralizeFormula), which
// spreadsheets hide: "+1 415 555 0132" is written as "'+1 415 555 0132".
//
// The rows are written by gocsv through its writer API over a csv.Writer
// of w (gocsv's package-level settings are neither used nor changed). It
// fails with the error of s.Validate for an invalid schema, or with the
// first write error.
func WriteTemplate(w io.Writer, s *Schema) error {
	rules, err := s.compile()
	if err != nil {
		return err
	}
	header := make([]string, len(s.Fields))
	example := make([]string, len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		header[i] = f.label()
		ex := exampleValue(f)
		if ex != "" {
			if _, err := rules[i].Check(ex); err != nil {
				ex = ""
			}
		}
		example[i] = ex
	}
	// gocsv marshals structs: build a struct type with one string field
	// per schema field. Its header row comes from struct tags, which
	// cannot carry every label (gocsv splits tags at commas and runs them
	// through its global header normalizer), so templateWriter replaces
	// the header row with the labels.
	fields := make([]reflect.StructField, len(s.Fields))
	for i := range fields {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: reflect.TypeOf(""),
			Tag:  reflect.StructTag(`csv:"f` + strconv.Itoa(i) + `"`),
		}
	}
	typ := reflect.StructOf(fields)
	row := reflect.New(typ).Elem()
	for i, v := range example {
		row.Field(i).SetString(v)
	}
	rows := reflect.MakeSlice(reflect.SliceOf(typ), 0, 1)
	rows = reflect.Append(rows, row)

	out := &templateWriter{SafeCSVWriter: gocsv.NewSafeCSVWriter(csv.NewWriter(w)), header: header}
	if err := gocsv.MarshalCSV(rows.Interface(), out); err != nil {
		return fmt.Errorf("mapping: writing template: %w", err)
	}
	return nil
}

// templateWriter neutralizes formulas in every cell and writes the real
// labels in place of the first row gocsv writes (its header of tags).
type templateWriter struct {
	*gocsv.SafeCSVWriter
	header []string
	wrote  bool
}

func (t *templateWriter) Write(row []string) error {
	if !t.wrote {
		t.wrote = true
		row = t.header
	}
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = NeutralizeFormula(c)
	}
	return t.SafeCSVWriter.Write(out)
}

// NeutralizeFormula returns cell with a leading apostrophe if a
// spreadsheet could read it as a formula, following OWASP's CSV injection
// guidance; other cells are returned as they are. Every CSV contactkit
// writes (the template, the error CSV, the examples' exports) passes each
// cell through it.
//
// A cell is neutralized when it starts with = + - @, a tab, a carriage
// return, a line feed or NUL; with the full-width or small forms of the
// signs (＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫), which spreadsheets with an East Asian
// input method read as the ASCII ones; or with the minus sign − or the
// heavy plus and minus signs; also when any of these comes after
// leading spaces, no-break spaces, a byte order mark, zero-width or other
// invisible formatting characters (" =1+1", "\u00a0=1+1",
// "\ufeff=1+1" and "\u200b=1+1" are all neutralized). The apostrophe is
// what spreadsheets hide, and what mapping's Apply removes again when such
// a file is imported: "+1 415 555 0132" is written "'+1 415 555 0132" and
// read back as "+1 415 555 0132".
func NeutralizeFormula(cell string) string {
	if isFormula(cell) {
		return "'" + cell
	}
	return cell
}

// isFormula reports whether NeutralizeFormula neutralizes cell.
func isFormula(cell string) bool {
	for _, r := range cell {
		switch r {
		case '=', '+', '-', '@', '\t', '\r', '\n', 0,
			'\uff1d', '\uff0b', '\uff0d', '\uff20', // full-width ＝ ＋ － ＠
			'\ufe66', '\ufe62', '\ufe63', '\ufe6b', // small ﹦ ﹢ ﹣ ﹫
			'\u2212', '\u2795', '\u2796': // minus sign, heavy plus and minus
			return true
		}
		if !invisibleLead(r) {
			return false
		}
	}
	return false
}

// invisibleLead reports whether r may come before a formula's sign without
// a person seeing it: white space (the no-break space among it), format
// characters (byte order mark, zero-width space and joiners, word joiner,
// bidirectional controls, soft hyphen), other control characters, and
// bytes that are not UTF-8.
func invisibleLead(r rune) bool {
	return r == utf8.RuneError || unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Cc)
}

// exampleValue returns an example value for f: by kind, and for text
// fields by what the field's role, label or key means.
func exampleValue(f *Field) string {
	switch f.kind() {
	case validate.Email:
		return concepts["email"].example
	case validate.Phone:
		return concepts["phone"].example
	case validate.Date:
		return "1990-05-17"
	case validate.Integer:
		return "42"
	case validate.Decimal:
		if f.Rules.DecimalComma {
			return "3,5"
		}
		return "3.5"
	case validate.Boolean:
		return "true"
	case validate.Enum:
		if len(f.Rules.Options) > 0 {
			return f.Rules.Options[0].ID
		}
	case validate.MultiSelect:
		var ids []string
		for i := 0; i < len(f.Rules.Options) && i < 2; i++ {
			ids = append(ids, f.Rules.Options[i].ID)
		}
		if len(ids) == 0 {
			ids = []string{"customer", "newsletter"}
		}
		return strings.Join(ids, f.separator())
	case validate.Text:
		for role, c := range map[Role]string{RoleFirstName: "first_name", RoleLastName: "last_name",
			RoleFullName: "full_name", RoleAccount: "account", RoleCountry: "country", RoleExternalID: "external_id"} {
			if f.Role == role {
				return concepts[c].example
			}
		}
		// The built-in synonyms alone, without the schema's names.
		bare := newIndex(&Schema{})
		for _, name := range []string{f.label(), f.Key} {
			if h, ok := bare.matchHeader(NormalizeHeader(name)); ok && h.match != MatchTypo {
				return concepts[h.concept].example
			}
		}
	}
	return ""
}
