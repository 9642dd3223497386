package mapping_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
)

// formulaCases are cells a spreadsheet could run as a formula, in the forms
// OWASP's CSV-injection guidance and issue 22 name.
var formulaCases = map[string]string{
	"ascii equals":           "=HYPERLINK(\"http://x\")",
	"ascii plus":             "+1 415",
	"ascii minus":            "-3",
	"ascii at":               "@SUM(A1)",
	"tab":                    "\tx",
	"carriage return":        "\rx",
	"line feed":              "\n=1+1",
	"nul":                    "\x00=1",
	"full-width equals":      "＝1+1",
	"small equals":           "﹦1+1",
	"full-width plus":        "＋1",
	"small plus":             "﹢1",
	"full-width minus":       "－1",
	"small minus":            "﹣1",
	"full-width at":          "＠SUM(A1)",
	"small at":               "﹫SUM(A1)",
	"minus sign":             "\u22121+1",
	"heavy plus":             "\u27951",
	"space before equals":    "  =1+1",
	"nbsp before equals":     "\u00a0=1+1",
	"bom before equals":      "\ufeff=1+1",
	"zero-width space":       "\u200b=1+1",
	"zero-width joiner":      "\u200d+1",
	"word joiner":            "\u2060@x",
	"ideographic space":      "\u3000＝1",
	"bidi override":          "\u202e=1+1",
	"soft hyphen":            "\u00ad=1",
	"invalid byte":           "\xff=1",
	"several invisibles":     " \u00a0\ufeff\u200b ＝cmd|' /C calc'!A0",
	"vertical tab then sign": "\v-1",
}

func TestNeutralizeFormulaOWASP(t *testing.T) {
	t.Parallel()
	for name, cell := range formulaCases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, "'"+cell, mapping.NeutralizeFormula(cell))
		})
	}
	for name, cell := range map[string]string{
		"empty":                 "",
		"plain":                 "plain",
		"equals inside":         "a=b",
		"already quoted":        "'=1",
		"spaces only":           "   ",
		"nbsp then text":        "\u00a0Jane",
		"bom then text":         "\ufeffJane",
		"full-width letter":     "Ｊａｎｅ",
		"hyphen in a name":      "Jean-Luc",
		"digit":                 "415 555 0132",
		"en dash is not a sign": "\u2013 n/a",
	} {
		t.Run("kept/"+name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, cell, mapping.NeutralizeFormula(cell))
		})
	}
}

// applyOne imports one job-title cell through the default schema's plan, as
// a re-imported error CSV or template would be.
func applyOne(t *testing.T, p *mapping.Plan, s *mapping.Schema, cell string) string {
	t.Helper()
	return p.Apply([]string{"jane@example.com", cell}, nil)[s.Index("job_title")].Raw
}

func jobTitlePlan(t *testing.T) (*mapping.Plan, *mapping.Schema) {
	t.Helper()
	s := mapping.DefaultSchema()
	m := &mapping.Mapping{Columns: []mapping.Column{
		{Index: 0, Header: "Email", Field: "email"},
		{Index: 1, Header: "Job Title", Field: "job_title"},
	}}
	p, err := m.Compile(s)
	require.NoError(t, err)
	return p, s
}

// TestNeutralizedCellsReadBack: every neutralized form comes back as it was
// when the CSV is imported again (Apply removes the apostrophe), while an
// apostrophe a person typed before ordinary text is kept.
func TestNeutralizedCellsReadBack(t *testing.T) {
	t.Parallel()
	p, s := jobTitlePlan(t)
	for name, cell := range formulaCases {
		got := applyOne(t, p, s, mapping.NeutralizeFormula(cell))
		assert.Equal(t, applyOne(t, p, s, cell), got, name)
		assert.NotEqual(t, '\'', got[0], name)
	}
	assert.Equal(t, "'Rock 'n' roll", applyOne(t, p, s, "'Rock 'n' roll"))
}

// TestTemplateNeutralizesFullWidth: a schema label written in full-width
// form (a Japanese host's "＝合計") reaches the template with its apostrophe.
func TestTemplateNeutralizesFullWidth(t *testing.T) {
	t.Parallel()
	s := &mapping.Schema{Fields: []mapping.Field{
		{Key: "email", Label: "E-mail", Kind: "email", Role: mapping.RoleEmail, Required: true},
		{Key: "total", Label: "＝合計", Kind: "text"},
		{Key: "note", Label: "\u00a0+note", Kind: "text"},
	}}
	require.NoError(t, s.Validate())
	var b bytes.Buffer
	require.NoError(t, mapping.WriteTemplate(&b, s))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"E-mail", "'＝合計", "'\u00a0+note"}, rows[0])
}

// FuzzNeutralizeFormula: a neutralized cell never shows a formula sign as
// its first visible character unless the apostrophe is there, and Apply
// reads every neutralized cell back to what it was.
func FuzzNeutralizeFormula(f *testing.F) {
	for _, c := range formulaCases {
		f.Add(c)
	}
	for _, c := range []string{"", "plain", "'=1", "Jean-Luc", "\u2013"} {
		f.Add(c)
	}
	s := mapping.DefaultSchema()
	m := &mapping.Mapping{Columns: []mapping.Column{
		{Index: 0, Header: "Email", Field: "email"},
		{Index: 1, Header: "Job Title", Field: "job_title"},
	}}
	p, err := m.Compile(s)
	if err != nil {
		f.Fatal(err)
	}
	signs := "=+-@＝＋－＠﹦﹢﹣﹫\u2212\u2795\u2796"
	f.Fuzz(func(t *testing.T, cell string) {
		out := mapping.NeutralizeFormula(cell)
		if out != cell && out != "'"+cell {
			t.Fatalf("%q became %q: only an apostrophe may be added", cell, out)
		}
		if out == cell {
			// The first character a spreadsheet sees, past invisible
			// ones, is not a sign.
			visible := strings.TrimLeftFunc(cell, func(r rune) bool {
				return r == utf8.RuneError || unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Cc)
			})
			if r, _ := utf8.DecodeRuneInString(visible); visible != "" && strings.ContainsRune(signs, r) {
				t.Fatalf("%q not neutralized", cell)
			}
			if cell != "" && strings.ContainsAny(cell[:1], "\t\r\n\x00") {
				t.Fatalf("%q starts with a control character and was not neutralized", cell)
			}
		}
		got := p.Apply([]string{"a@example.com", out}, nil)[s.Index("job_title")].Raw
		// The apostrophe changes nothing on import: the cell reads as
		// it was.
		if want := p.Apply([]string{"a@example.com", cell}, nil)[s.Index("job_title")].Raw; got != want {
			t.Fatalf("Apply(%q) = %q, want %q", out, got, want)
		}
	})
}
