package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/mapping"
)

// -export FILE writes every stored contact as CSV: a header of the schema's
// labels (what the mapping suggestion reads back) and one row per contact
// in creation order, each value as stored (normalized), the account as its
// name, tags joined by the field's separator ("|"). Every cell passes
// through mapping.NeutralizeFormula. The file is written through
// atomicFile, so it appears whole or not at all.

// exportPage is how many contacts the SQL export reads per query.
const exportPage = 500

// exportContacts writes every contact of st to path and returns how many.
func exportContacts(ctx context.Context, st *stores, schema *mapping.Schema, path string) (int, error) {
	names, err := accountNames(ctx, st.accounts)
	if err != nil {
		return 0, failf("cannot export: reading the accounts: %w", err)
	}
	out, err := createAtomic(path)
	if err != nil {
		return 0, failf("cannot write the export: %w", err)
	}
	defer out.abort()
	w := csv.NewWriter(out)
	row := make([]string, len(schema.Fields))
	for i, f := range schema.Fields {
		row[i] = f.Label
		if row[i] == "" {
			row[i] = f.Key
		}
	}
	if err := writeRow(w, row); err != nil {
		return 0, failf("cannot write the export: %w", err)
	}
	n := 0
	err = st.each(ctx, func(c importer.Contact) error {
		for i := range schema.Fields {
			row[i] = exportValue(&schema.Fields[i], &c, names)
		}
		n++
		return writeRow(w, row)
	})
	if err != nil {
		return 0, failf("cannot export: %w", err)
	}
	if w.Flush(); w.Error() != nil {
		return 0, failf("cannot write the export: %w", w.Error())
	}
	if err := out.commit(); err != nil {
		return 0, failf("cannot write the export: %w", err)
	}
	return n, nil
}

func writeRow(w *csv.Writer, row []string) error {
	safe := make([]string, len(row))
	for i, c := range row {
		safe[i] = mapping.NeutralizeFormula(c)
	}
	return w.Write(safe)
}

// exportValue is the value of field f of c as the export writes it.
func exportValue(f *mapping.Field, c *importer.Contact, accountName map[string]string) string {
	switch f.Role {
	case mapping.RoleEmail:
		return c.Email
	case mapping.RolePhone:
		return c.Phone
	case mapping.RoleExternalID:
		return c.ExternalID
	case mapping.RoleStatus:
		return string(c.Status)
	case mapping.RoleAccount:
		return accountName[c.AccountID]
	case mapping.RoleTags:
		sep := f.Rules.Separator
		if sep == "" {
			sep = "|"
		}
		return strings.Join(c.Tags, sep)
	}
	return c.Fields[f.Key]
}

// accountNames maps account IDs to names (none when st cannot list them).
func accountNames(ctx context.Context, st accounts.Store) (map[string]string, error) {
	names := map[string]string{}
	l, ok := st.(accounts.Lister)
	if !ok {
		return names, nil
	}
	for a, err := range l.ListAccounts(ctx) {
		if err != nil {
			return nil, err
		}
		names[a.ID] = a.Name
	}
	return names, nil
}

// sqlContacts calls fn with every contact of the SQL store, in creation
// order, reading pages of exportPage contacts (the tables are those
// sqlstore.Store.Migrate documents, without a prefix).
func sqlContacts(ctx context.Context, st *sqlstore.Store, fn func(importer.Contact) error) error {
	db := st.DB()
	ph := func(n int) string {
		if st.Dialect() == sqlstore.Postgres {
			return "$" + strconv.Itoa(n)
		}
		return "?"
	}
	var after int64
	for {
		page, ids, err := contactPage(ctx, db, ph, after)
		if err != nil || len(page) == 0 {
			return err
		}
		lo, hi := ids[0], ids[len(ids)-1]
		pos := make(map[int64]int, len(ids))
		for i, id := range ids {
			pos[id] = i
		}
		err = query(ctx, db, `SELECT contact_id, key, value FROM contact_fields WHERE contact_id BETWEEN `+ph(1)+` AND `+ph(2),
			[]any{lo, hi}, func(rows *sql.Rows) error {
				var id int64
				var k, v string
				if err := rows.Scan(&id, &k, &v); err != nil {
					return err
				}
				c := &page[pos[id]]
				if c.Fields == nil {
					c.Fields = map[string]string{}
				}
				c.Fields[k] = v
				return nil
			})
		if err != nil {
			return err
		}
		err = query(ctx, db, `SELECT contact_id, tag FROM contact_tags WHERE contact_id BETWEEN `+ph(1)+` AND `+ph(2)+` ORDER BY contact_id, seq`,
			[]any{lo, hi}, func(rows *sql.Rows) error {
				var id int64
				var tag string
				if err := rows.Scan(&id, &tag); err != nil {
					return err
				}
				c := &page[pos[id]]
				c.Tags = append(c.Tags, tag)
				return nil
			})
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := fn(c); err != nil {
				return err
			}
		}
		after = hi
	}
}

func contactPage(ctx context.Context, db *sql.DB, ph func(int) string, after int64) ([]importer.Contact, []int64, error) {
	var page []importer.Contact
	var ids []int64
	err := query(ctx, db, `SELECT id, email, phone, external_id, status, account_id FROM contacts WHERE id > `+ph(1)+
		` ORDER BY id LIMIT `+strconv.Itoa(exportPage), []any{after}, func(rows *sql.Rows) error {
		var id int64
		var c importer.Contact
		if err := rows.Scan(&id, &c.Email, &c.Phone, &c.ExternalID, &c.Status, &c.AccountID); err != nil {
			return err
		}
		c.ID = strconv.FormatInt(id, 10)
		page = append(page, c)
		ids = append(ids, id)
		return nil
	})
	return page, ids, err
}

// query runs q and calls fn for each row.
func query(ctx context.Context, db *sql.DB, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// memContacts calls fn with every contact of the in-memory store.
func memContacts(all []importer.Contact, fn func(importer.Contact) error) error {
	for _, c := range all {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

var _ io.Writer = (*atomicFile)(nil)
