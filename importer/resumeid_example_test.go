package importer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// An import cancelled after its first batch is resumed by its ID: the
// same record goes on and ends with the counts of one whole import.
func ExampleConfig_resume() {
	const file = "email\na@example.com\nb@example.com\nc@example.com\n"
	st, h := memstore.New(), memstore.NewHistory()
	src := importer.ImportSource{FileName: "people.csv", SHA256: "…the file's SHA-256…"}

	ctx, cancel := context.WithCancel(context.Background())
	cfg := importer.Config{BatchSize: 1, History: h, HistoryRecord: importer.ImportRecord{ID: "imp-1", Source: src},
		OnCommit: func(context.Context, []importer.Event) error { cancel(); return nil }}
	_, err := importer.Import(ctx, strings.NewReader(file), st, cfg)
	rec, _ := h.Get(context.Background(), "imp-1")
	fmt.Println(err != nil, rec.Status, rec.Progress.LastLine)

	cfg.OnCommit, cfg.Resume = nil, true // HistoryRecord.ID names the import; Source.SHA256 is checked
	rep, err := importer.Import(context.Background(), strings.NewReader(file), st, cfg)
	rec, _ = h.Get(context.Background(), "imp-1")
	fmt.Println(err, rep.ImportID, rec.Status, rec.Progress.Counts.Created, len(st.All()))
	// Output:
	// true cancelled 2
	// <nil> imp-1 done 3 3
}
