package importer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// A store that is an importer.Overlapper (memstore; sqlstore on PostgreSQL)
// is written while the importer reads and matches the next part, so
// Progress reads ahead of what is committed: CommittedLine is where a
// re-run resumes, Line how far the file is read.
func ExampleOverlapper() {
	var csv strings.Builder
	csv.WriteString("email\n")
	for i := range 5 {
		fmt.Fprintf(&csv, "p%d@example.com\n", i)
	}
	cfg := importer.Config{BatchSize: 2, Progress: func(p importer.Progress) {
		fmt.Printf("read through line %d, committed through line %d (%d created)\n", p.Line, p.CommittedLine, p.Created)
	}}
	rep, err := importer.Import(context.Background(), strings.NewReader(csv.String()), memstore.New(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Created, "created, committed through line", rep.LastCommittedLine)
	// Output:
	// read through line 3, committed through line 0 (0 created)
	// read through line 5, committed through line 3 (2 created)
	// read through line 6, committed through line 5 (4 created)
	// read through line 6, committed through line 6 (5 created)
	// 5 created, committed through line 6
}
