package importer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// An import delivers every row's Outcome per committed batch
// (Config.OnOutcomes) and journals them in a History (Config.History): the
// record's counts are the report's, and the journal says what each row did,
// down to the values an update overwrote, so that the import can be undone.
func ExampleOutcome() {
	ctx := context.Background()
	st := memstore.New()
	_, _ = st.Create(ctx, []importer.Contact{{Email: "ann@example.com", Fields: map[string]string{"city": "Basel"}}})
	h := memstore.NewHistory() // or sqlstore.NewHistory(db, cfg)

	file := "email,city\nann@example.com,Bern\nnew@example.com,Zug\nnot-an-email,Chur\n"
	rep, err := importer.Import(ctx, strings.NewReader(file), st, importer.Config{
		History:       h,
		HistoryRecord: importer.ImportRecord{Kind: importer.ImportKindWeb, Source: importer.ImportSource{FileName: "contacts.csv"}, StartedBy: "user:17"},
		OnOutcomes: func(_ context.Context, outs []importer.Outcome) error {
			for _, o := range outs {
				s := fmt.Sprintf("line %d: %s", o.Line, o.Kind)
				if o.ContactID != "" {
					s += " " + o.ContactID
				}
				fmt.Println(s)
			}
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := h.Get(ctx, rep.ImportID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s by %s: %s, %d created, %d updated, %d failed\n", rec.Kind, rec.Source.FileName, rec.StartedBy,
		rec.Status, rec.Progress.Counts.Created, rec.Progress.Counts.Updated, rec.Progress.Counts.Failed)
	for e, err := range h.Journal(ctx, rep.ImportID, 0) {
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range e.Changes {
			fmt.Printf("line %d: %s %q (set %t) -> %q\n", e.Line, c.Field, c.Before.Value, c.Before.Set, c.After.Value)
		}
	}
	// Output:
	// line 2: updated c1
	// line 3: created c2
	// line 4: failed
	// web contacts.csv by user:17: done, 1 created, 1 updated, 1 failed
	// line 2: city "Basel" (set true) -> "Bern"
	// line 3: email "" (set false) -> "new@example.com"
	// line 3: city "" (set false) -> "Zug"
}
