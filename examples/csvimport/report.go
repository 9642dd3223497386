package main

import (
	"fmt"
	"io"
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
	out.Warnings = append(out.Warnings, problems(rep.Warnings)...)
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

// maxListed is how many errors and warnings the summary lists.
const maxListed = 20

// writeSummary prints the report for people.
func writeSummary(w io.Writer, out *output, schema *mapping.Schema) {
	rep := out.Report
	verb := "Imported"
	if rep.DryRun {
		verb = "Dry run of"
	}
	fmt.Fprintf(w, "%s %s into %s (mode %s, %s)\n", verb, out.File, out.DB, out.Mode, strings.ReplaceAll(out.Merge, "_", " "))
	fmt.Fprintf(w, "File: %s, delimiter %s, header on line %d, %d rows", rep.Encoding, delimiterName(rep.Delimiter), rep.HeaderLine, rep.Rows)
	if rep.Blank > 0 {
		fmt.Fprintf(w, " (and %d blank)", rep.Blank)
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w)
	if out.Suggested {
		fmt.Fprintln(w, "Mapping (suggested; -save-mapping FILE keeps it, -mapping FILE re-applies it):")
	} else {
		fmt.Fprintf(w, "Mapping (from %s):\n", out.MappingFile)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range out.columns {
		if c.Field == "" {
			fmt.Fprintf(tw, "  %s\t(not imported)\n", c.Header)
			continue
		}
		fmt.Fprintf(tw, "  %s\t-> %s\n", c.Header, c.Field)
	}
	for _, c := range out.Constants {
		fmt.Fprintf(tw, "  %q\t-> %s (every row)\n", c.Value, c.Field)
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
			codes = append(codes, fmt.Sprintf("%s: %d", c, n))
		}
		sort.Strings(codes)
		fmt.Fprintf(w, "Skipped: %s\n", strings.Join(codes, ", "))
	}
	fmt.Fprintf(w, "Accounts: %d created, %d contacts linked (%d to new accounts)\n",
		rep.AccountsCreated, rep.AccountsLinked, rep.AccountsLinkedNew)
	if rep.ContactLimitLine > 0 {
		fmt.Fprintf(w, "Contact limit reached at line %d: no contacts created from there on.\n", rep.ContactLimitLine)
	}

	listProblems(w, "Errors", out.Errors, rep.ErrorsDropped)
	listProblems(w, "Warnings", out.Warnings, rep.WarningsDropped)

	if len(out.Changes) > 0 {
		fmt.Fprintf(w, "\nChanges (%d):\n", len(out.Changes)+out.ChangesDropped)
		for i, c := range out.Changes {
			if i == maxListed {
				fmt.Fprintf(w, "  … and %d more (-json lists them)\n", len(out.Changes)+out.ChangesDropped-i)
				break
			}
			fmt.Fprintf(w, "  line %d: %s %q -> %q\n", c.Line, c.Field, c.From, c.To)
		}
	}

	if out.Preview != nil {
		fmt.Fprintf(w, "\nPreview (the first %d contacts written):\n", len(*out.Preview))
		for _, p := range *out.Preview {
			var parts []string
			for _, f := range schema.Fields {
				if v, ok := p[f.Key]; ok {
					parts = append(parts, f.Key+"="+v)
				}
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(parts, ", "))
		}
	}
}

func listProblems(w io.Writer, title string, ps []problem, dropped int) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d):\n", title, len(ps)+dropped)
	for i, p := range ps {
		if i == maxListed {
			fmt.Fprintf(w, "  … and %d more (-json or -errors FILE lists them)\n", len(ps)+dropped-i)
			return
		}
		var where []string
		if p.Line > 0 {
			where = append(where, fmt.Sprintf("line %d", p.Line))
		}
		if p.Column > 0 {
			where = append(where, fmt.Sprintf("column %d", p.Column))
		}
		loc := strings.Join(where, ", ")
		if p.Field != "" {
			loc = strings.TrimSpace(loc + " (" + p.Field + ")")
		}
		if loc != "" {
			loc += ": "
		}
		msg := p.Message
		if p.Value != "" && !strings.Contains(msg, p.Value) {
			msg += fmt.Sprintf(" [%q]", p.Value)
		}
		if p.Suggestion != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", p.Suggestion)
		}
		fmt.Fprintf(w, "  %s%s: %s — %s\n", loc, p.Code, msg, p.Action)
	}
}

func delimiterName(d string) string {
	switch d {
	case "\t":
		return "tab"
	case "":
		return "none"
	}
	return fmt.Sprintf("%q", d)
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
