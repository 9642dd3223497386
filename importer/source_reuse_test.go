package importer_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// reusingSource is a Source of the host's that fills one Fields slice for
// every row, and says so.
type reusingSource struct {
	rows   [][]string
	next   int
	fields []string
	reuses bool
}

func (s *reusingSource) Header() []string { return []string{"email", "first name"} }

func (s *reusingSource) Read() (importer.Record, error) {
	if s.next == len(s.rows) {
		return importer.Record{}, io.EOF
	}
	if s.fields == nil {
		s.fields = make([]string, 2)
	}
	copy(s.fields, s.rows[s.next])
	s.next++
	return importer.Record{Line: s.next + 1, Fields: s.fields}, nil
}

func (s *reusingSource) ReusesRecord() bool { return s.reuses }

// TestSourceThatReusesRecords: any Source (not only the CSV Reader) may
// reuse its Fields between Reads by saying so with ReusesRecord; the
// importer then copies them, so every contact keeps its own values.
func TestSourceThatReusesRecords(t *testing.T) {
	t.Parallel()
	src := &reusingSource{reuses: true, rows: [][]string{
		{"ann@example.com", "Ann"}, {"bob@example.com", "Bob"}, {"cy@example.com", "Cy"},
	}}
	st := memstore.New()
	rep, err := importer.ImportFrom(t.Context(), src, st, importer.Config{BatchSize: 10})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Created)
	names := map[string]string{}
	for _, c := range st.All() {
		names[c.Email] = c.Fields["first_name"]
	}
	assert.Equal(t, map[string]string{"ann@example.com": "Ann", "bob@example.com": "Bob", "cy@example.com": "Cy"}, names)
}
