package importer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// An import's life in a History: begin it, append each committed batch's
// journal with the progress, finish it, list the imports, and read the
// journal back in line order (streaming: a store reads it in pages).
func ExampleHistory() {
	ctx := context.Background()
	var h importer.History = memstore.NewHistory() // or sqlstore.NewHistory(db, cfg)
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

	rec, err := h.Begin(ctx, importer.ImportRecord{
		ID:        "imp-1", // empty: the History assigns one
		Kind:      importer.ImportKindCSV,
		Source:    importer.ImportSource{FileName: "contacts.csv", Size: 812, SHA256: "4f2a…"},
		StartedBy: "user:17",
		Started:   start,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	batch := []importer.JournalEntry{
		{Line: 2, Outcome: importer.JournalCreated, ContactID: "1", TagsAdded: []string{"vip"}},
		{Line: 3, Outcome: importer.JournalUpdated, ContactID: "7", Changes: []importer.JournalChange{
			{Field: "city", Before: importer.JournalValue{}, After: importer.Present("Basel")}, // was absent
			{Field: "phone", Before: importer.Present("+41441234567"), After: importer.Present("")},
		}},
		{Line: 4, Outcome: importer.JournalFailed},
	}
	progress := importer.ImportProgress{LastLine: 4, Counts: importer.Counts{Rows: 3, Created: 1, Updated: 1, Failed: 1}}
	if err := h.Append(ctx, rec.ID, batch, progress); err != nil {
		fmt.Println(err)
		return
	}
	// A resumed import re-sending the batch stores nothing twice.
	_ = h.Append(ctx, rec.ID, batch, progress)
	if err := h.Finish(ctx, rec.ID, importer.ImportDone, start.Add(2*time.Second)); err != nil {
		fmt.Println(err)
		return
	}

	recs, _, err := h.List(ctx, importer.HistoryQuery{Limit: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Printf("%s %s %s by %s: %s, %d created, %d updated, %d failed, %s\n", r.ID, r.Kind, r.Source.FileName,
			r.StartedBy, r.Status, r.Progress.Counts.Created, r.Progress.Counts.Updated, r.Progress.Counts.Failed, r.Ended.Sub(r.Started))
	}
	for e, err := range h.Journal(ctx, rec.ID, 0) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("line %d: %s", e.Line, e.Outcome)
		if e.ContactID != "" {
			fmt.Printf(" contact %s", e.ContactID)
		}
		for _, c := range e.Changes {
			fmt.Printf(" %s %s -> %s", c.Field, showJournalValue(c.Before), showJournalValue(c.After))
		}
		if len(e.TagsAdded) > 0 {
			fmt.Printf(" tags +%v", e.TagsAdded)
		}
		fmt.Println()
	}
	// Output:
	// imp-1 csv contacts.csv by user:17: done, 1 created, 1 updated, 1 failed, 2s
	// line 2: created contact 1 tags +[vip]
	// line 3: updated contact 7 city (absent) -> "Basel" phone "+41441234567" -> ""
	// line 4: failed
}

// show prints a journal value, absent apart from empty.
func showJournalValue(v importer.JournalValue) string {
	if !v.Set {
		return "(absent)"
	}
	return fmt.Sprintf("%q", v.Value)
}
