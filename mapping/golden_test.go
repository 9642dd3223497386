package mapping_test

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/headers")

// TestGoldenHeaders suggests a mapping to DefaultSchema for every
// testdata/headers/*.csv (a header row of a real export, optionally with
// sample rows) and compares it with the .golden file beside it. Run
// `go test ./mapping/ -run TestGoldenHeaders -update` after a deliberate
// change and review the diff.
func TestGoldenHeaders(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "headers", "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".csv")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			r := csv.NewReader(f)
			r.FieldsPerRecord = -1
			rows, err := r.ReadAll()
			require.NoError(t, err)
			require.NotEmpty(t, rows)
			sug := mapping.Suggest(rows[0], rows[1:], mapping.DefaultSchema())
			got := renderSuggestion(sug)
			golden := strings.TrimSuffix(file, ".csv") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create the golden file")
			assert.Equal(t, string(want), got)
		})
	}
}

// renderSuggestion writes a suggestion as a table people can review.
func renderSuggestion(sug *mapping.Suggestion) string {
	var b strings.Builder
	for _, c := range sug.Mapping.Columns {
		field := c.Field
		if field == "" {
			field = "-"
		}
		tr := ""
		if c.Transform.Op != mapping.OpNone {
			tr = " [" + string(c.Transform.Op)
			if c.Transform.Field != "" {
				tr += " " + c.Transform.Field
			}
			if c.Transform.Sep != "" {
				tr += fmt.Sprintf(" %q", c.Transform.Sep)
			}
			if c.Transform.Part != "" {
				tr += " " + c.Transform.Part
			}
			if len(c.Transform.Values) > 0 {
				tr += fmt.Sprintf(" %d values", len(c.Transform.Values))
			}
			tr += "]"
		}
		if c.Transform.Fallback {
			tr += " [fallback]"
		}
		if c.Transform.DateOrder != validate.OrderUnknown {
			tr += " [" + c.Transform.DateOrder.String() + "]"
		}
		fmt.Fprintf(&b, "%2d %-32q -> %-12s%s %s %.2f\n", c.Index+1, c.Header, field, tr, orDash(string(c.Match)), c.Confidence)
		if c.Reason != "" {
			fmt.Fprintf(&b, "     %s\n", c.Reason)
		}
		for _, w := range c.Warnings {
			if w.Code == mapping.CodeUnmapped {
				continue // the reason says it
			}
			fmt.Fprintf(&b, "     ! %s: %s\n", w.Code, w.Message)
		}
	}
	fmt.Fprintf(&b, "repeated:")
	for _, r := range sug.Repeated {
		fmt.Fprintf(&b, " %d->%s(by %d)", r.Column+1, r.Field, r.By+1)
	}
	fmt.Fprintf(&b, "\nconflicts:")
	for _, c := range sug.Conflicts {
		fmt.Fprintf(&b, " %d:%s~%s(%.2f)", c.Column+1, c.Field, c.Looks, c.Share)
	}
	fmt.Fprintf(&b, "\nunmapped: %d\nmissing: %s\nerr: %v\n", len(sug.Unmapped), strings.Join(sug.Missing, ","), sug.Err)
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
