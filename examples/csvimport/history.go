package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// Every import (not a dry run) is recorded in the History kept in the -db
// database (sqlstore.History beside the contacts; memstore.History for
// :memory:), with its journal, one entry per row. -history lists them.

// historyRecord is the record an import of o's file begins: kind csv, the
// file's name, size and SHA-256, and who started it.
func historyRecord(o *options, f *os.File) (importer.ImportRecord, error) {
	// ReadAt leaves the file's offset where the reader of the import has
	// it.
	src, err := importer.FileSource(o.file, io.NewSectionReader(f, 0, math.MaxInt64))
	if err != nil {
		return importer.ImportRecord{}, failf("cannot read the CSV file: %w", err)
	}
	return importer.ImportRecord{Kind: importer.ImportKindCSV, Source: src, StartedBy: startedBy()}, nil
}

// startedBy is the OS user's name, or "csvimport" when it is unknown.
func startedBy() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "csvimport"
}

// openHistory returns the History of the stores' database.
func openHistory(ctx context.Context, st *stores) (importer.History, error) {
	if st.db == nil {
		return memstore.NewHistory(), nil
	}
	h, err := sqlstore.NewHistory(st.db.DB(), sqlstore.HistoryConfig{})
	if err == nil {
		err = h.Migrate(ctx)
	}
	if err != nil {
		return nil, failf("cannot prepare the import history of %s: %w", st.name, err)
	}
	return h, nil
}

// missingFile reports whether db names a SQLite file that does not exist
// (not a PostgreSQL URL or an SQLite "file:" URI, which are opened as
// given).
func missingFile(db string) bool {
	if strings.Contains(db, "://") || strings.HasPrefix(db, "file:") {
		return false
	}
	_, err := os.Stat(db)
	return errors.Is(err, os.ErrNotExist)
}

// historyItem is one import as -history -json prints it.
type historyItem struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	File      string    `json:"file"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256,omitempty"`
	StartedBy string    `json:"started_by,omitempty"`
	Status    string    `json:"status"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended,omitzero"`
	Rows      int       `json:"rows"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Skipped   int       `json:"skipped"`
	Failed    int       `json:"failed"`
	LastLine  int64     `json:"last_line"`
}

func newHistoryItem(r importer.ImportRecord) historyItem {
	c := r.Progress.Counts
	return historyItem{ID: r.ID, Kind: string(r.Kind), File: r.Source.FileName, Size: r.Source.Size,
		SHA256: r.Source.SHA256, StartedBy: r.StartedBy, Status: string(r.Status), Started: r.Started,
		Ended: r.Ended, Rows: c.Rows, Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged,
		Skipped: c.Skipped, Failed: c.Failed, LastLine: r.Progress.LastLine}
}

// listHistory prints the imports of o.db, newest first: a table, or with
// -json an array of historyItem. A database file that does not exist holds
// no import (it is not created).
func listHistory(ctx context.Context, o *options, stdout io.Writer) error {
	var items []historyItem
	st, h, err := openExisting(ctx, o)
	if err != nil {
		return err
	}
	if st != nil {
		defer st.close()
		q := importer.HistoryQuery{}
		for {
			recs, next, err := h.List(ctx, q)
			if err != nil {
				return failf("cannot list the imports of %s: %w", o.db, err)
			}
			for _, r := range recs {
				items = append(items, newHistoryItem(r))
			}
			if next == "" {
				break
			}
			q.After = next
		}
	}
	if o.json {
		if items == nil {
			items = []historyItem{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(items); err != nil {
			return failf("write the history: %w", err)
		}
		return nil
	}
	if len(items) == 0 {
		fmt.Fprintf(stdout, "No imports recorded in %s.\n", termSafe(o.db))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tFILE\tSTATUS\tCREATED\tUPDATED\tFAILED")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\n", it.ID, it.Started.Local().Format("2006-01-02 15:04:05"),
			termSafe(it.File), it.Status, it.Created, it.Updated, it.Failed)
	}
	return tw.Flush()
}
