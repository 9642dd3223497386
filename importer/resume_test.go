package importer_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// An import interrupted after any line and resumed with ResumeAfterLine
// ends as a clean run of the whole file: later rows with the key of a row
// before the resumed line are still duplicates within the file (merged,
// kept first or last, rejected), not first occurrences that overwrite what
// the earlier row set.
func TestResumeAfterLineMatchesACleanRun(t *testing.T) {
	t.Parallel()
	const seed = "email,city,tags\nold@example.com,Rome,a\nkeep@example.com,,\n"
	const file = `email,city,job title,tags,newsletter
new@example.com,,,x,subscribed
old@example.com,Milan,,b,
new@example.com,Oslo,CEO,y,
bad,,,,
keep@example.com,,,,
new@example.com,Bergen,CTO,z,
OLD@example.com,Turin,CTO,,unsubscribed
other@example.com,Turin,,,
`
	emails := []string{"new@example.com", "old@example.com", "keep@example.com", "other@example.com"}
	lines := strings.Count(file, "\n")
	for _, mode := range []importer.Mode{importer.ModeUpsert, importer.ModeUpdate, importer.ModeCreate} {
		for _, policy := range []importer.FileDuplicates{importer.MergeRows, importer.KeepLast, importer.KeepFirst, importer.RejectLater} {
			cfg := importer.Config{Mode: mode, FileDuplicates: policy, BatchSize: 2}
			clean, cleanRep := cleanImport(t, cfg, seed, file)
			seeded := snapshot(t, clean, []string{"keep@example.com"})
			for cut := 2; cut < lines; cut++ {
				name := fmt.Sprintf("mode %s, policy %s, interrupted after line %d", mode, policy, cut)
				st, first := cleanImport(t, cfg, seed, firstLines(file, cut))
				cfg := cfg
				cfg.ResumeAfterLine = cut
				rest, err := importer.Import(t.Context(), strings.NewReader(file), st, cfg)
				require.NoError(t, err, name)
				checkCounts(t, rest)
				assert.Equal(t, cut-1, rest.SkippedBy[importer.CodeBeforeResume], name)
				for _, p := range append(rest.Errors, rest.Warnings...) {
					assert.True(t, p.Line == 0 || p.Line > cut, "%s: rows before the resumed line are not reported again: %+v", name, p)
				}
				if mode == importer.ModeCreate {
					// Create only cannot tell a contact the interrupted run
					// created from one that was there: a later row of it is
					// skipped as existing, never merged into a stored contact.
					assert.Equal(t, len(clean.All()), len(st.All()), name)
					assert.Equal(t, seeded, snapshot(t, st, []string{"keep@example.com"}), name)
					assert.Zero(t, rest.Updated, name)
					continue
				}
				assert.Equal(t, snapshot(t, clean, emails), snapshot(t, st, emails), name)
				got := first.Counts
				got.Rows += rest.Rows - (cut - 1)
				got.Created += rest.Created
				got.Updated += rest.Updated
				got.Unchanged += rest.Unchanged
				got.Skipped += rest.Skipped - (cut - 1)
				got.Failed += rest.Failed
				assert.Equal(t, cleanRep.Counts, got, "%s: the two runs count what one clean run counts", name)
			}
		}
	}
}

// firstLines returns the first n lines of file (n >= 1 keeps the header).
func firstLines(file string, n int) string {
	end := 0
	for range n {
		i := strings.IndexByte(file[end:], '\n')
		if i < 0 {
			return file
		}
		end += i + 1
	}
	return file[:end]
}

// snapshot returns the contacts of st that have one of emails, sorted, IDs
// cleared and tags sorted: what two stores are compared by. A contact
// stored twice is there twice.
func snapshot(t testing.TB, st importer.Store, emails []string) []importer.Contact {
	t.Helper()
	keys := make([]string, len(emails))
	for i, e := range emails {
		keys[i] = importer.EmailKey(e)
	}
	var out []importer.Contact
	for part := range slices.Chunk(keys, 500) {
		got, err := st.Lookup(t.Context(), importer.KeyEmail, part)
		require.NoError(t, err)
		out = append(out, got...)
	}
	for i := range out {
		out[i].ID = ""
		slices.Sort(out[i].Tags)
		if len(out[i].Tags) == 0 {
			out[i].Tags = nil
		}
		if len(out[i].Fields) == 0 {
			out[i].Fields = nil
		}
	}
	slices.SortFunc(out, func(a, b importer.Contact) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	return out
}

// cleanImport imports files one after the other into a new memstore,
// without faults, and returns the store and the last report.
func cleanImport(t testing.TB, cfg importer.Config, files ...string) (*memstore.Store, *importer.Report) {
	t.Helper()
	st := memstore.New()
	cfg.Progress, cfg.OnCommit, cfg.ResumeAfterLine = nil, nil, 0
	rep := &importer.Report{}
	for _, file := range files {
		rep = &importer.Report{}
		if file == "" {
			continue
		}
		var err error
		rep, err = importer.Import(t.Context(), strings.NewReader(file), st, cfg)
		require.NoError(t, err)
	}
	return st, rep
}
