package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// output is the report csvimport prints: importer.Report, whose JSON names
// it keeps, with what the command adds (the file, the database, the
// options). The fields below shadow the Report's of the same JSON name:
// problems always carry line, column, field, code and message, lists are []
// rather than null, and the warnings of the mapping suggestion come first
// among the warnings (line 0), as when the importer suggests the mapping
// itself.
type output struct {
	File   string        `json:"file"`
	DB     string        `json:"db"`
	Mode   importer.Mode `json:"mode"`
	Merge  string        `json:"merge"`
	Region string        `json:"region"`

	*importer.Report

	// Suggested: the mapping was suggested for this file (no -mapping).
	Suggested bool `json:"suggested"`
	// MappingFile is the -mapping file, if any.
	MappingFile string `json:"mapping_file,omitempty"`
	// Constants are the mapping's constants (the -tag values among them).
	Constants []mapping.Constant `json:"constants"`

	Unmapped []string  `json:"unmapped"`
	Errors   []problem `json:"errors"`
	Warnings []problem `json:"warnings"`
	// ErrorsByCode and WarningsByCode count every problem by code, those
	// not listed included, with the first of each ({} when there are
	// none); the warnings of the mapping are counted with the others.
	ErrorsByCode   map[importer.Code]codeCount `json:"errors_by_code"`
	WarningsByCode map[importer.Code]codeCount `json:"warnings_by_code"`
	// Preview is there with -preview (empty when nothing was written).
	Preview *[]map[string]string `json:"preview,omitempty"`

	columns []mapping.Column // the mapping, in file order, for the summary
}

// problem is importer.Problem with every documented key present.
type problem struct {
	Line       int             `json:"line"`
	Column     int             `json:"column"`
	Field      string          `json:"field"`
	Code       importer.Code   `json:"code"`
	Message    string          `json:"message"`
	Value      string          `json:"value,omitempty"`
	Suggestion string          `json:"suggestion,omitempty"`
	Action     importer.Action `json:"action"`
}

func newOutput(o *options, db string, rep *importer.Report, ch chosen) *output {
	out := &output{
		File: o.file, DB: db, Mode: o.mode, Merge: string(importer.MergeOverwrite), Region: o.region,
		Report:      rep,
		Suggested:   !ch.saved,
		MappingFile: o.mappingFile,
		Constants:   nonNil(ch.sg.Mapping.Constants),
		Unmapped:    nonNil(rep.Unmapped),
		Errors:      problems(rep.Errors),
		Warnings:    mappingWarnings(ch.sg.Mapping),
		columns:     ch.sg.Mapping.Columns,
	}
	if o.fillEmpty {
		out.Merge = string(importer.MergeFillEmpty)
	}
	if o.preview > 0 {
		p := nonNil(rep.Preview)
		out.Preview = &p
	}
	nMapping := len(out.Warnings)
	out.Warnings = append(out.Warnings, problems(rep.Warnings)...)
	out.ErrorsByCode = codeCounts(rep.ErrorsByCode, nil)
	out.WarningsByCode = codeCounts(rep.WarningsByCode, out.Warnings[:nMapping])
	return out
}

// mappingWarnings are the warnings of a suggested (or re-applied) mapping's
// columns, as the importer reports them when it suggests the mapping.
func mappingWarnings(m *mapping.Mapping) []problem {
	ps := []problem{}
	for _, c := range m.Columns {
		for _, w := range c.Warnings {
			ps = append(ps, problem{Column: c.Index + 1, Field: c.Field, Value: c.Header,
				Code: importer.Code(w.Code), Message: w.Message, Action: importer.ActionWarning})
		}
	}
	return ps
}

// codeCount is importer.CodeCount with every documented key of its
// problem present.
type codeCount struct {
	Count int     `json:"count"`
	First problem `json:"first"`
}

// codeCounts converts the importer's counts and adds the mapping's
// warnings, which come first.
func codeCounts(byCode map[importer.Code]importer.CodeCount, mappingWarnings []problem) map[importer.Code]codeCount {
	out := make(map[importer.Code]codeCount, len(byCode)+len(mappingWarnings))
	for i := len(mappingWarnings) - 1; i >= 0; i-- {
		w := mappingWarnings[i]
		c := out[w.Code]
		c.Count++
		c.First = w
		out[w.Code] = c
	}
	for code, n := range byCode {
		c, ok := out[code]
		if !ok {
			c.First = problem(n.First)
		}
		c.Count += n.Count
		out[code] = c
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func problems(ps []importer.Problem) []problem {
	out := make([]problem, len(ps))
	for i, p := range ps {
		out[i] = problem(p)
	}
	return out
}

// maxListed is how many changes the summary lists; examplesPerCode how
// many lines of each problem code it shows.
const (
	maxListed       = 20
	examplesPerCode = 3
)

// writeSummary prints the report for people. Everything from the file (its
// name, headers, values, messages quoting values) goes through termSafe.
func writeSummary(w io.Writer, out *output, schema *mapping.Schema) {
	rep := out.Report
	verb := "Imported"
	if rep.DryRun {
		verb = "Dry run of"
	}
	fmt.Fprintf(w, "%s %s into %s (mode %s, %s)\n", verb, termSafe(out.File), termSafe(out.DB), out.Mode, strings.ReplaceAll(out.Merge, "_", " "))
	header := fmt.Sprintf("header on line %d", rep.HeaderLine)
	if rep.HeaderLine == 0 {
		header = "no header row"
	}
	fmt.Fprintf(w, "File: %s, delimiter %s, %s, %d rows", termSafe(rep.Encoding), delimiterName(rep.Delimiter), header, rep.Rows)
	if rep.Blank > 0 {
		fmt.Fprintf(w, " (and %d blank)", rep.Blank)
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w)
	if out.Suggested {
		fmt.Fprintln(w, "Mapping (suggested; -save-mapping FILE keeps it, -mapping FILE re-applies it):")
	} else {
		fmt.Fprintf(w, "Mapping (from %s):\n", termSafe(out.MappingFile))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range out.columns {
		if c.Field == "" {
			fmt.Fprintf(tw, "  %s\t(not imported)\n", termSafe(c.Header))
			continue
		}
		fmt.Fprintf(tw, "  %s\t-> %s\n", termSafe(c.Header), termSafe(c.Field))
	}
	for _, c := range out.Constants {
		fmt.Fprintf(tw, "  %s\t-> %s (every row)\n", quote(c.Value), termSafe(c.Field))
	}
	tw.Flush()

	fmt.Fprintln(w)
	if rep.DryRun {
		fmt.Fprintln(w, "Nothing was written (dry run); the counts are what the import would do.")
	}
	fmt.Fprintf(w, "Contacts: %d created, %d updated, %d unchanged, %d skipped, %d failed\n",
		rep.Created, rep.Updated, rep.Unchanged, rep.Skipped, rep.Failed)
	if len(rep.SkippedBy) > 0 {
		codes := make([]string, 0, len(rep.SkippedBy))
		for c, n := range rep.SkippedBy {
			codes = append(codes, fmt.Sprintf("%s: %d", termSafe(string(c)), n))
		}
		sort.Strings(codes)
		fmt.Fprintf(w, "Skipped: %s\n", strings.Join(codes, ", "))
	}
	fmt.Fprintf(w, "Accounts: %d created, %d contacts linked (%d to new accounts)\n",
		rep.AccountsCreated, rep.AccountsLinked, rep.AccountsLinkedNew)
	if rep.ContactLimitLine > 0 {
		fmt.Fprintf(w, "Contact limit reached at line %d: no contacts created from there on.\n", rep.ContactLimitLine)
	}

	listProblems(w, "Errors", out.Errors, out.ErrorsByCode, rep.ErrorsDropped)
	listProblems(w, "Warnings", out.Warnings, out.WarningsByCode, rep.WarningsDropped)

	if len(out.Changes) > 0 {
		fmt.Fprintf(w, "\nChanges (%d):\n", len(out.Changes)+out.ChangesDropped)
		for i, c := range out.Changes {
			if i == maxListed {
				fmt.Fprintf(w, "  … and %d more (-json lists them)\n", len(out.Changes)+out.ChangesDropped-i)
				break
			}
			fmt.Fprintf(w, "  line %d: %s %s -> %s\n", c.Line, termSafe(c.Field), quote(c.From), quote(c.To))
		}
	}

	if out.Preview != nil {
		fmt.Fprintf(w, "\nPreview (the first %d contacts written):\n", len(*out.Preview))
		for _, p := range *out.Preview {
			var parts []string
			for _, f := range schema.Fields {
				if v, ok := p[f.Key]; ok {
					parts = append(parts, termSafe(f.Key)+"="+termSafe(v))
				}
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(parts, ", "))
		}
	}
}

// codeGroup is the problems of one code in the summary.
type codeGroup struct {
	code     importer.Code
	count    int
	actions  []importer.Action // of the listed problems, in order of appearance
	examples []problem
}

// severity orders groups: what lost data first.
func severity(actions []importer.Action) int {
	best := 4
	for _, a := range actions {
		switch a {
		case importer.ActionRejected:
			best = min(best, 0)
		case importer.ActionDropped:
			best = min(best, 1)
		case importer.ActionSkipped:
			best = min(best, 2)
		case importer.ActionWarning:
			best = min(best, 3)
		}
	}
	return best
}

// listProblems prints problems grouped by code: rejected rows first, then
// dropped values, skipped rows and warnings, each group the most frequent
// first, with its count (from byCode, which counts the problems not listed
// too) and its first examplesPerCode lines. One code many rows have never
// hides another.
func listProblems(w io.Writer, title string, ps []problem, byCode map[importer.Code]codeCount, dropped int) {
	total := len(ps) + dropped
	if total == 0 {
		return
	}
	groups := map[importer.Code]*codeGroup{}
	for code, n := range byCode {
		groups[code] = &codeGroup{code: code, count: n.Count}
	}
	add := func(g *codeGroup, p problem) {
		if !slices.Contains(g.actions, p.Action) {
			g.actions = append(g.actions, p.Action)
		}
		if len(g.examples) < examplesPerCode {
			g.examples = append(g.examples, p)
		}
	}
	for _, p := range ps {
		g := groups[p.Code]
		if g == nil {
			// A problem the counts do not know: count it here.
			g = &codeGroup{code: p.Code}
			groups[p.Code] = g
		}
		if _, ok := byCode[p.Code]; !ok {
			g.count++
		}
		add(g, p)
	}
	for code, n := range byCode {
		// A code whose problems are all beyond the listed ones still
		// shows its first.
		if g := groups[code]; len(g.examples) == 0 {
			add(g, n.First)
		}
	}
	list := make([]*codeGroup, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if sa, sb := severity(a.actions), severity(b.actions); sa != sb {
			return sa < sb
		}
		if a.count != b.count {
			return a.count > b.count
		}
		return a.code < b.code
	})

	fmt.Fprintf(w, "\n%s (%d), by code:\n", title, total)
	for _, g := range list {
		what := make([]string, len(g.actions))
		for i, a := range g.actions {
			what[i] = string(a)
			if a == importer.ActionWarning && g.count != 1 {
				what[i] = "warnings"
			}
		}
		head := fmt.Sprintf("  %s: %d", termSafe(string(g.code)), g.count)
		if len(what) > 0 {
			head += " " + strings.Join(what, ", ")
		}
		fmt.Fprintln(w, head)
		for _, p := range g.examples {
			fmt.Fprintf(w, "    %s\n", problemLine(p))
		}
		if more := g.count - len(g.examples); more > 0 {
			fmt.Fprintf(w, "    … and %d more (-json or -errors FILE lists them)\n", more)
		}
	}
}

// problemLine is one problem: where, the message, the value, a suggestion.
func problemLine(p problem) string {
	var where []string
	if p.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", p.Line))
	}
	if p.Column > 0 {
		where = append(where, fmt.Sprintf("column %d", p.Column))
	}
	loc := strings.Join(where, ", ")
	if p.Field != "" {
		loc = strings.TrimSpace(loc + " (" + termSafe(p.Field) + ")")
	}
	if loc != "" {
		loc += ": "
	}
	msg := termSafe(p.Message)
	if p.Value != "" && !strings.Contains(p.Message, p.Value) {
		msg += " [" + quote(p.Value) + "]"
	}
	if p.Suggestion != "" {
		msg += " (did you mean " + quote(p.Suggestion) + "?)"
	}
	return loc + msg
}

func delimiterName(d string) string {
	switch d {
	case "\t":
		return "tab"
	case "":
		return "none"
	}
	return quote(d)
}

// progressBar draws the import's progress on a terminal.
type progressBar struct {
	w     io.Writer
	name  string
	drawn bool
}

const barWidth = 30

func (b *progressBar) update(p importer.Progress) {
	line := fmt.Sprintf("%s: %d rows", b.name, p.Rows)
	if p.TotalBytes > 0 {
		frac := float64(p.BytesRead) / float64(p.TotalBytes)
		frac = min(max(frac, 0), 1)
		full := int(frac * barWidth)
		line = fmt.Sprintf("[%s%s] %3.0f%%  %s", strings.Repeat("#", full), strings.Repeat(".", barWidth-full), frac*100, line)
	}
	fmt.Fprintf(b.w, "\r%s\x1b[K", line)
	b.drawn = true
}

// clear erases the bar; it does nothing on a nil bar or one never drawn.
func (b *progressBar) clear() {
	if b == nil || !b.drawn {
		return
	}
	fmt.Fprint(b.w, "\r\x1b[K")
}
