package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/contactkit/contactkit/mapping"
)

// ImportList names one of the per-import lists WriteImportList writes.
type ImportList string

// The per-import lists.
const (
	// ListCreated: one row per contact the import created, with the
	// values it stored.
	ListCreated ImportList = "created"
	// ListUpdated: one row per field an update changed, with its value
	// before and after.
	ListUpdated ImportList = "updated"
	// ListFailed: the error CSV of the import, one row per failed row as
	// it was in the file, with its line and reasons.
	ListFailed ImportList = "failed"
	// ListSkipped: like ListFailed, for the rows the import skipped on
	// purpose (duplicates, existing or unknown contacts, the contact
	// limit), with the reason.
	ListSkipped ImportList = "skipped"
)

// ErrUnknownList: WriteImportList was given a list it does not know.
var ErrUnknownList = errors.New("importer: unknown import list")

// Valid reports whether l is one of the ImportList constants.
func (l ImportList) Valid() bool {
	switch l {
	case ListCreated, ListUpdated, ListFailed, ListSkipped:
		return true
	}
	return false
}

// Columns of the created and updated lists (the failed and skipped lists
// end with ErrorCSVLineColumn and ErrorCSVReasonColumn, as the error CSV).
const (
	ListLineColumn      = "contactkit_line"
	ListContactIDColumn = "contact_id"
	ListFieldColumn     = "field"
	ListBeforeColumn    = "before"
	ListAfterColumn     = "after"
	// ListTagsColumn holds the tags a row added, joined with ", ".
	ListTagsColumn = "tags_added"
	// ListAccountColumn is the account a created contact was linked to
	// (created list), or the field name of an account link change
	// (updated list).
	ListAccountColumn = "account_id"
)

// WriteImportList writes list of import id in h to w as CSV (RFC 4180,
// comma, a header row), streaming its journal: memory stays bounded
// whatever the import's size. Every cell goes through
// mapping.NeutralizeFormula, as in the error CSV, so that a spreadsheet
// never runs one as a formula.
//
//   - ListCreated: contactkit_line, contact_id, then each field the
//     created contacts were given (the dedicated parts email, phone,
//     external_id, status and schema keys, in the order first met), then
//     tags_added and account_id. The journal is read twice (once for the
//     columns).
//   - ListUpdated: contactkit_line, contact_id, field, before, after: one
//     row per changed field, then a row "tags_added" (after: the tags
//     added) and a row "account_id" (the link before and after) where the
//     row changed them. An absent value and an empty one are both an
//     empty cell.
//   - ListFailed and ListSkipped: the file's header (as the import read
//     it; "column_1", … when the record has none), the row's cells as
//     read, then contactkit_line and contactkit_error (each reason as
//     "field: code: message", joined with "; "; a skipped row's reason
//     code first). Fix the rows and upload the file again: the extra
//     columns are not mapped. An import whose Options hold
//     NamedCellsOption true journals each row's Cells as name, value
//     pairs instead (an automatic import's records each have their own
//     fields): the header is then every name of the list's rows, in the
//     order first met (the journal is read twice, once for the names), and
//     each row has its values under their own names, empty where it has
//     none.
//
// The import may still be running: the list holds what it has journaled.
// Errors: ErrUnknownList; ErrImportNotFound (wrapped) for an unknown
// import; a History's or w's error, wrapped, after which w holds a part of
// the list.
func WriteImportList(ctx context.Context, w io.Writer, h History, id string, list ImportList) error {
	if !list.Valid() {
		return fmt.Errorf("importer: list %q of import %s: %w", list, id, ErrUnknownList)
	}
	rec, err := h.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("importer: list %s of import %s: %w", list, id, err)
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	lw := &listWriter{cw: cw}
	switch list {
	case ListCreated:
		err = lw.created(ctx, h, id)
	case ListUpdated:
		err = lw.updated(ctx, h, id)
	default:
		err = lw.rows(ctx, h, rec, list)
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
		if err == nil {
			err = bw.Flush()
		}
	}
	if err != nil {
		return fmt.Errorf("importer: list %s of import %s: %w", list, id, err)
	}
	return nil
}

type listWriter struct {
	cw  *csv.Writer
	buf []string
}

func (lw *listWriter) write(cells ...string) error {
	lw.buf = lw.buf[:0]
	for _, c := range cells {
		lw.buf = append(lw.buf, mapping.NeutralizeFormula(c))
	}
	return lw.cw.Write(lw.buf)
}

// each calls fn for each journal entry with outcome o.
func each(ctx context.Context, h History, id string, o JournalOutcome, fn func(e *JournalEntry) error) error {
	for e, err := range h.Journal(ctx, id, 0) {
		if err != nil {
			return fmt.Errorf("read journal: %w", err)
		}
		if e.Outcome != o {
			continue
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return nil
}

func line(n int64) string { return strconv.FormatInt(n, 10) }

func (lw *listWriter) created(ctx context.Context, h History, id string) error {
	var fields []string
	account := false
	err := each(ctx, h, id, JournalCreated, func(e *JournalEntry) error {
		for _, ch := range e.Changes {
			if !slices.Contains(fields, ch.Field) {
				fields = append(fields, ch.Field)
			}
		}
		account = account || e.AccountAfter.Set
		return nil
	})
	if err != nil {
		return err
	}
	head := append([]string{ListLineColumn, ListContactIDColumn}, fields...)
	head = append(head, ListTagsColumn)
	if account {
		head = append(head, ListAccountColumn)
	}
	if err := lw.write(head...); err != nil {
		return err
	}
	row := make([]string, len(head))
	return each(ctx, h, id, JournalCreated, func(e *JournalEntry) error {
		clear(row)
		row[0], row[1] = line(e.Line), e.ContactID
		for _, ch := range e.Changes {
			if i := slices.Index(fields, ch.Field); i >= 0 {
				row[2+i] = ch.After.Value
			}
		}
		row[2+len(fields)] = strings.Join(e.TagsAdded, ", ")
		if account {
			row[len(row)-1] = e.AccountAfter.Value
		}
		return lw.write(row...)
	})
}

func (lw *listWriter) updated(ctx context.Context, h History, id string) error {
	if err := lw.write(ListLineColumn, ListContactIDColumn, ListFieldColumn, ListBeforeColumn, ListAfterColumn); err != nil {
		return err
	}
	return each(ctx, h, id, JournalUpdated, func(e *JournalEntry) error {
		l := line(e.Line)
		for _, ch := range e.Changes {
			if err := lw.write(l, e.ContactID, ch.Field, ch.Before.Value, ch.After.Value); err != nil {
				return err
			}
		}
		if len(e.TagsAdded) > 0 {
			if err := lw.write(l, e.ContactID, ListTagsColumn, "", strings.Join(e.TagsAdded, ", ")); err != nil {
				return err
			}
		}
		if e.AccountBefore.Set || e.AccountAfter.Set {
			return lw.write(l, e.ContactID, ListAccountColumn, e.AccountBefore.Value, e.AccountAfter.Value)
		}
		return nil
	})
}

func (lw *listWriter) rows(ctx context.Context, h History, rec ImportRecord, list ImportList) error {
	o := JournalFailed
	if list == ListSkipped {
		o = JournalSkipped
	}
	if namedCells(rec) {
		return lw.namedRows(ctx, h, rec.ID, o)
	}
	header := RecordHeader(rec)
	started := false
	var row []string
	start := func(width int) error {
		started = true
		if header == nil {
			for i := range width {
				header = append(header, "column_"+strconv.Itoa(i+1))
			}
		}
		return lw.write(append(slices.Clone(header), ErrorCSVLineColumn, ErrorCSVReasonColumn)...)
	}
	err := each(ctx, h, rec.ID, o, func(e *JournalEntry) error {
		if !started {
			if err := start(len(e.Cells)); err != nil {
				return err
			}
		}
		row = append(row[:0], e.Cells...)
		for len(row) < len(header) {
			row = append(row, "")
		}
		row = append(row, line(e.Line), reasons(e, o))
		return lw.write(row...)
	})
	if err == nil && !started {
		err = start(0)
	}
	return err
}

// reasons joins why a failed or skipped row was: a skipped row's reason
// code, then its problems (a failed row's warnings left out).
func reasons(e *JournalEntry, o JournalOutcome) string {
	var rs []string
	if e.Reason != "" {
		rs = append(rs, string(e.Reason))
	}
	for _, p := range e.Problems {
		if o == JournalFailed && p.Action == ActionWarning {
			continue
		}
		msg := string(p.Code) + ": " + p.Message
		if p.Field != "" {
			msg = p.Field + ": " + msg
		}
		rs = append(rs, msg)
	}
	return strings.Join(rs, "; ")
}

// namedRows writes the rows of an import that journals name, value pairs
// (NamedCellsOption): a first pass collects the names, in the order first
// met, and the last line; the second writes each row's values under their
// names, up to that line (entries journaled in between have names the
// header may not hold). Memory holds the names, not the rows.
func (lw *listWriter) namedRows(ctx context.Context, h History, id string, o JournalOutcome) error {
	var names []string
	index := make(map[string]int)
	var last int64
	err := each(ctx, h, id, o, func(e *JournalEntry) error {
		for k := 0; k+1 < len(e.Cells); k += 2 {
			if _, ok := index[e.Cells[k]]; !ok {
				index[e.Cells[k]] = len(names)
				names = append(names, e.Cells[k])
			}
		}
		last = e.Line
		return nil
	})
	if err != nil {
		return err
	}
	if err := lw.write(append(slices.Clone(names), ErrorCSVLineColumn, ErrorCSVReasonColumn)...); err != nil {
		return err
	}
	row := make([]string, len(names)+2)
	for e, err := range h.Journal(ctx, id, 0) {
		if err != nil {
			return fmt.Errorf("read journal: %w", err)
		}
		if e.Line > last {
			break
		}
		if e.Outcome != o {
			continue
		}
		clear(row)
		for k := 0; k+1 < len(e.Cells); k += 2 {
			if i, ok := index[e.Cells[k]]; ok {
				row[i] = e.Cells[k+1]
			}
		}
		row[len(names)], row[len(names)+1] = line(e.Line), reasons(&e, o)
		if err := lw.write(row...); err != nil {
			return err
		}
	}
	return nil
}

// NamedCellsOption is the key of ImportRecord.Options that, set to true,
// says the import journals each failed or skipped row's
// JournalEntry.Cells as name, value pairs (name, value, name, value, …):
// the row's own fields, for rows that do not share one header, as the
// records of an automatic import's run do. WriteImportList then lists the
// rows under their names instead of a recorded header.
const NamedCellsOption = "named_cells"

// namedCells reports whether rec's Options set NamedCellsOption.
func namedCells(rec ImportRecord) bool {
	var o map[string]json.RawMessage
	if len(rec.Options) == 0 || json.Unmarshal(rec.Options, &o) != nil {
		return false
	}
	var b bool
	return json.Unmarshal(o[NamedCellsOption], &b) == nil && b
}

// RecordHeader returns the file's header row that an import recorded in
// its ImportRecord's Options when it began (the importer does unless the
// host set HistoryRecord.Options itself), or nil.
func RecordHeader(rec ImportRecord) []string {
	var o struct {
		Header []string `json:"header"`
	}
	if len(rec.Options) == 0 || json.Unmarshal(rec.Options, &o) != nil {
		return nil
	}
	return o.Header
}
