package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"iter"
	"slices"
	"sort"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/internal/sqlbase"
)

// keyColumn is the indexed column of each match key.
var keyColumn = map[importer.KeyKind]string{
	importer.KeyEmail:      "email_key",
	importer.KeyPhone:      "phone",
	importer.KeyExternalID: "external_id",
}

// Lookup implements importer.Store: for each chunk of values one statement
// finds the contacts (their fields and tags are columns of their rows);
// several chunks are read in one read-only transaction. Contacts come in
// ascending creation order.
func (s *Store) Lookup(ctx context.Context, kind importer.KeyKind, values []string) ([]importer.Contact, error) {
	col, ok := keyColumn[kind]
	if !ok {
		return nil, fmt.Errorf("sqlstore: lookup by %q: %w", kind, importer.ErrUnsupportedKey)
	}
	if err := ctx.Err(); err != nil {
		return nil, s.wrap(ctx, "lookup", err)
	}
	keys := uniqueNonEmpty(values)
	if len(keys) == 0 {
		return nil, nil
	}
	var out []importer.Contact
	read := func(q querier) error {
		out = out[:0]
		err := chunks(keys, s.listChunk(), func(part []string) error {
			b := s.keyQuery(col, part)
			return b.Each(ctx, q, func(rows *sql.Rows) error {
				c, err := scanContact(rows)
				out = append(out, c)
				return err
			})
		})
		sortByID(out)
		return err
	}
	var err error
	if len(keys) <= s.listChunk() {
		// One statement (PostgreSQL always: one array parameter holds
		// every key) sees one snapshot by itself: no transaction, and so
		// one round trip instead of three.
		err = read(s.db)
	} else {
		err = s.readTx(ctx, func(tx *sql.Tx) error { return read(tx) })
	}
	if err != nil {
		return nil, s.wrap(ctx, "lookup", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// keyQuery selects the contacts whose col is one of values. The e-mail key
// and the external ID have two partial indexes each (migration 4): a unique
// one of the contacts not marked duplicate and one of those marked
// duplicate; the statement asks each for its part in terms that imply the
// index's condition, so that both SQLite and PostgreSQL (which then also
// knows each key matches at most one such contact, statistics or not) use
// them. values are not empty.
func (s *Store) keyQuery(col string, values []string) *sqlbase.Builder {
	head := `SELECT ` + contactColumns + ` FROM ` + s.t.contacts + ` WHERE ` + col
	b := s.build().SQL(head)
	if col != keyColumn[importer.KeyEmail] && col != keyColumn[importer.KeyExternalID] {
		return in(s, b, values)
	}
	in(s, b, values).SQL(` AND `, col, ` <> '' AND NOT duplicate UNION ALL `, head)
	return in(s, b, values).SQL(` AND duplicate`)
}

// sortByID sorts cs by ID (creation order).
func sortByID(cs []importer.Contact) {
	ids := make([]int64, len(cs))
	for i := range cs {
		ids[i], _ = parseID(cs[i].ID)
	}
	// Values are deduplicated and a contact has one key of each kind, so no
	// contact comes twice; sort by numeric ID (creation order).
	sort.Sort(byID{cs, ids})
}

type byID struct {
	cs  []importer.Contact
	ids []int64
}

func (s byID) Len() int           { return len(s.cs) }
func (s byID) Less(i, j int) bool { return s.ids[i] < s.ids[j] }
func (s byID) Swap(i, j int) {
	s.cs[i], s.cs[j] = s.cs[j], s.cs[i]
	s.ids[i], s.ids[j] = s.ids[j], s.ids[i]
}

// Create implements importer.Store: all contacts are created in one
// transaction, or none.
func (s *Store) Create(ctx context.Context, contacts []importer.Contact) ([]string, error) {
	ids, err := s.write(ctx, "create", contacts, nil)
	return ids, err
}

// Update implements importer.Store. All updates are applied in one
// transaction: an unknown ID fails the call with importer.ErrNotFound and
// nothing is changed.
func (s *Store) Update(ctx context.Context, updates []importer.Update) error {
	_, err := s.write(ctx, "update", nil, updates)
	return err
}

// WriteBatch implements importer.BatchWriter: creates and updates in one
// transaction; on error nothing of the batch is stored.
func (s *Store) WriteBatch(ctx context.Context, creates []importer.Contact, updates []importer.Update) ([]string, error) {
	return s.write(ctx, "write batch", creates, updates)
}

// Count implements importer.Store.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, s.wrap(ctx, "count", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+s.t.contacts).Scan(&n); err != nil {
		return 0, s.wrap(ctx, "count", err)
	}
	return n, nil
}

func (s *Store) write(ctx context.Context, op string, creates []importer.Contact, updates []importer.Update) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	if len(creates) == 0 && len(updates) == 0 {
		return []string{}, nil
	}
	plan, err := foldUpdates(updates)
	if err != nil {
		return nil, err
	}
	var ids []string
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.deferForeignKeys(ctx, tx); err != nil {
			return err
		}
		// Updates first: an unknown ID fails the batch before anything is written.
		if err := s.applyUpdates(ctx, tx, plan); err != nil {
			return err
		}
		var err error
		ids, err = s.insertContacts(ctx, tx, creates)
		return err
	})
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	s.inserted(ctx, len(ids))
	return ids, nil
}

// insertContacts inserts contacts, their fields and tags in the same row,
// with multi-row INSERT … RETURNING id statements (one statement over
// arrays per batch on PostgreSQL) and returns their IDs in order.
func (s *Store) insertContacts(ctx context.Context, tx *sql.Tx, contacts []importer.Contact) ([]string, error) {
	if len(contacts) == 0 {
		return []string{}, nil
	}
	rows := make([]contactRow, len(contacts))
	for i := range contacts {
		r, err := newContactRow(&contacts[i])
		if err != nil {
			return nil, err
		}
		rows[i] = r
	}
	newIDs := make([]int64, 0, len(contacts))
	cache := newStmtCache(tx)
	chunk := s.chunkRows(9)
	if s.dialect == Postgres {
		chunk = len(rows)
	}
	err := chunks(rows, chunk, func(part []contactRow) error {
		if s.dialect == Postgres {
			return s.pgInsertContacts(ctx, tx, part, &newIDs)
		}
		// OR IGNORE: a contact whose unique key is taken is skipped, as
		// with ON CONFLICT DO NOTHING, and the statement cannot abort
		// half-way, so SQLite keeps no statement journal for it (see
		// deferForeignKeys).
		b := s.build().SQL(`INSERT OR IGNORE INTO `, s.t.contacts, ` (email, email_key, phone, external_id, status, account_id, duplicate, fields, tags) VALUES `)
		for i := range part {
			r := &part[i]
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(r.c.Email).SQL(", ").Arg(r.key).SQL(", ").Arg(r.c.Phone).SQL(", ").
				Arg(r.c.ExternalID).SQL(", ").Arg(string(r.c.Status)).SQL(", ").Arg(r.c.AccountID).SQL(", ").Arg(r.c.Duplicate).SQL(", ").
				Arg(r.fields).SQL(", ").Arg(r.tags).SQL(")")
		}
		// A contact whose unique key is taken is not inserted (and not
		// returned): the call then fails with a conflict, rolled back.
		b.SQL(` RETURNING id`)
		rs, err := cache.query(ctx, b)
		if err != nil {
			return err
		}
		defer rs.Close()
		start := len(newIDs)
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				return err
			}
			newIDs = append(newIDs, id)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		if got := len(newIDs) - start; got != len(part) {
			return s.conflict(ctx, tx, contactsOf(part), newIDs[start:])
		}
		// The rows are inserted in the order of VALUES and each gets a
		// larger ID than the one before, but RETURNING's row order is not
		// promised: sort to restore the contacts' order.
		slices.Sort(newIDs[start:])
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(newIDs))
	for i, id := range newIDs {
		out[i] = formatID(id)
	}
	return out, nil
}

// contactRow is a contact to insert with its e-mail key and its fields and
// tags encoded as their columns.
type contactRow struct {
	c                 *importer.Contact
	key, fields, tags string
}

func newContactRow(c *importer.Contact) (contactRow, error) {
	f, err := encodeFields(c.Fields)
	if err != nil {
		return contactRow{}, err
	}
	t, err := encodeTags(dedupeTags(nil, c.Tags))
	if err != nil {
		return contactRow{}, err
	}
	return contactRow{c: c, key: importer.EmailKey(c.Email), fields: f, tags: t}, nil
}

// contactsOf returns the contacts of rows.
func contactsOf(rows []contactRow) []importer.Contact {
	cs := make([]importer.Contact, len(rows))
	for i := range rows {
		cs[i] = *rows[i].c
	}
	return cs
}

type fieldRow struct {
	id         int64
	key, value string
}

// loadFields calls fn with each (owner ID, key, value) row of table (a
// fields table whose owner column is owner) for ids.
func (s *Store) loadFields(ctx context.Context, q querier, table, owner string, ids []int64, fn func(id int64, k, val string)) error {
	return chunks(ids, s.listChunk(), func(part []int64) error {
		b := s.build().SQL(`SELECT `, owner, `, key, value FROM `, table, ` WHERE `, owner)
		return in(s, b, part).Each(ctx, q, func(rows *sql.Rows) error {
			var (
				id     int64
				k, val string
			)
			if err := rows.Scan(&id, &k, &val); err != nil {
				return err
			}
			fn(id, k, val)
			return nil
		})
	})
}

// insertFieldRows writes rows to table (a fields table whose owner column
// is owner) in multi-row statements; with replace, existing values of the
// same keys are overwritten.
func (s *Store) insertFieldRows(ctx context.Context, tx *sql.Tx, table, owner string, rows []fieldRow, replace bool) error {
	if s.dialect == Postgres && len(rows) > 0 {
		ids, keys, vals := make([]int64, len(rows)), make([]string, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			ids[i], keys[i], vals[i] = r.id, r.key, r.value
		}
		q := `INSERT INTO ` + table + ` (` + owner + `, key, value) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])`
		if replace {
			q += ` ON CONFLICT (` + owner + `, key) DO UPDATE SET value = excluded.value`
		}
		_, err := tx.ExecContext(ctx, q, ids, keys, vals)
		return err
	}
	// Without replace the rows belong to owners created by this
	// transaction, so none exists yet: OR IGNORE changes nothing but spares
	// SQLite a statement journal (see deferForeignKeys).
	verb := `INSERT OR IGNORE INTO `
	if replace {
		verb = `INSERT INTO `
	}
	cache := newStmtCache(tx)
	return chunks(rows, s.chunkRows(3), func(part []fieldRow) error {
		b := s.build().SQL(verb, table, ` (`, owner, `, key, value) VALUES `)
		for i, r := range part {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(r.id).SQL(", ").Arg(r.key).SQL(", ").Arg(r.value).SQL(")")
		}
		if replace {
			b.SQL(` ON CONFLICT (`, owner, `, key) DO UPDATE SET value = excluded.value`)
		}
		_, err := cache.exec(ctx, b)
		return err
	})
}

// deleteFieldRows deletes the (owner ID, key) rows of table.
func (s *Store) deleteFieldRows(ctx context.Context, tx *sql.Tx, table, owner string, rows []fieldRow) error {
	return chunks(rows, s.chunkRows(2), func(part []fieldRow) error {
		b := s.build().SQL(`DELETE FROM `, table, ` WHERE (`, owner, `, key) IN (VALUES `)
		for i, r := range part {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Cast(r.id, "BIGINT").SQL(", ").Cast(r.key, "TEXT").SQL(")")
		}
		b.SQL(")")
		_, err := b.Exec(ctx, tx)
		return err
	})
}

// pgInsertContacts inserts contacts on PostgreSQL with one statement over
// arrays (unnest, in the given order), so that a batch costs one round
// trip and one prepared statement whatever its size, and appends the new
// IDs, in order, to ids.
func (s *Store) pgInsertContacts(ctx context.Context, tx *sql.Tx, part []contactRow, ids *[]int64) error {
	n := len(part)
	email, key, phone, ext, status, acc := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	fields, tags := make([]string, n), make([]string, n)
	dup := make([]bool, n)
	for i := range part {
		r := &part[i]
		c := r.c
		email[i], key[i], phone[i], ext[i], status[i], acc[i], dup[i] = c.Email, r.key, c.Phone, c.ExternalID, string(c.Status), c.AccountID, c.Duplicate
		fields[i], tags[i] = r.fields, r.tags
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO `+s.t.contacts+` (email, email_key, phone, external_id, status, account_id, duplicate, fields, tags)
SELECT e, k, p, x, s, a, d, f::jsonb, t::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[])
WITH ORDINALITY AS u(e, k, p, x, s, a, d, f, t, n) ORDER BY n
ON CONFLICT DO NOTHING RETURNING id`, email, key, phone, ext, status, acc, dup, fields, tags)
	if err != nil {
		return err
	}
	defer rows.Close()
	start := len(*ids)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		*ids = append(*ids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if got := len(*ids) - start; got != n {
		return s.conflict(ctx, tx, contactsOf(part), (*ids)[start:])
	}
	// Rows are inserted in ORDER BY n, each with a larger ID than the one
	// before; RETURNING's order is not promised.
	slices.Sort((*ids)[start:])
	return nil
}

// conflict builds the *importer.ConflictError of an insert of contacts that
// inserted only the rows inserted (IDs): it names the unique keys of
// contacts not marked duplicate that a contact other than the one being
// inserted with it already has.
func (s *Store) conflict(ctx context.Context, tx *sql.Tx, contacts []importer.Contact, inserted []int64) error {
	own := make(map[importer.Key]bool)
	if len(inserted) > 0 {
		b := s.build().SQL(`SELECT email_key, external_id FROM `, s.t.contacts, ` WHERE id IN `)
		err := sqlbase.List(b, inserted).Each(ctx, tx, func(rows *sql.Rows) error {
			var ek, ext string
			if err := rows.Scan(&ek, &ext); err != nil {
				return err
			}
			own[importer.Key{Kind: importer.KeyEmail, Value: ek}] = true
			own[importer.Key{Kind: importer.KeyExternalID, Value: ext}] = true
			return nil
		})
		if err != nil {
			return err
		}
	}
	ce := &importer.ConflictError{}
	seen := make(map[importer.Key]bool)
	for i := range contacts {
		c := &contacts[i]
		if c.Duplicate {
			continue
		}
		for _, k := range []importer.Key{{Kind: importer.KeyEmail, Value: importer.EmailKey(c.Email)}, {Kind: importer.KeyExternalID, Value: c.ExternalID}} {
			if k.Value == "" || seen[k] {
				continue
			}
			seen[k] = true
			if own[k] {
				// Inserted by this statement: a conflict only if a
				// contact of the call was refused for it.
				continue
			}
			var n int
			col := keyColumn[k.Kind]
			err := s.build().SQL(`SELECT count(*) FROM `, s.t.contacts, ` WHERE `, col, ` = `).Arg(k.Value).
				SQL(` AND `, col, ` <> '' AND NOT duplicate`).Row(ctx, tx).Scan(&n)
			if err != nil {
				return err
			}
			if n > 0 {
				ce.Keys = append(ce.Keys, k)
			}
		}
	}
	// Contacts of the call sharing a key with one inserted by it.
	for i := range contacts {
		c := &contacts[i]
		if c.Duplicate {
			continue
		}
		for _, k := range []importer.Key{{Kind: importer.KeyEmail, Value: importer.EmailKey(c.Email)}, {Kind: importer.KeyExternalID, Value: c.ExternalID}} {
			if k.Value != "" && own[k] && !slices.Contains(ce.Keys, k) && sharedInCall(contacts, k) {
				ce.Keys = append(ce.Keys, k)
			}
		}
	}
	return ce
}

// sharedInCall reports whether two contacts not marked duplicate have key k.
func sharedInCall(contacts []importer.Contact, k importer.Key) bool {
	n := 0
	for i := range contacts {
		if !contacts[i].Duplicate && contacts[i].Key(k.Kind) == k.Value {
			n++
		}
	}
	return n > 1
}

// change is a dedicated column's fate: untouched, or set to val ("" clears).
type change struct {
	set bool
	val string
}

func (c *change) to(v string) { c.set, c.val = true, v }

// arg is the change as a statement argument: NULL keeps the stored value.
func (c change) arg() any {
	if !c.set {
		return nil
	}
	return c.val
}

// folded is every update of one contact in a call, merged in call order.
type folded struct {
	id                                          int64
	email, phone, externalID, status, accountID change
	fields                                      map[string]*string // nil value: delete
	replaceTags                                 bool
	tags                                        []string
}

// foldUpdates merges the updates of each contact, in order, into one
// change per contact (the same result as applying them one by one), and
// sorts the contacts by ID so that concurrent writers lock rows in the same
// order. An ID this store cannot have issued fails with ErrNotFound.
func foldUpdates(updates []importer.Update) ([]*folded, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	byID := make(map[int64]*folded, len(updates))
	var plan []*folded
	for i := range updates {
		u := &updates[i]
		id, ok := parseID(u.ID)
		if !ok {
			return nil, fmt.Errorf("sqlstore: update: contact %q: %w", u.ID, importer.ErrNotFound)
		}
		f := byID[id]
		if f == nil {
			f = &folded{id: id}
			byID[id] = f
			plan = append(plan, f)
		}
		if u.Email != "" {
			f.email.to(u.Email)
		}
		if u.Phone != "" {
			f.phone.to(u.Phone)
		}
		if u.ExternalID != "" {
			f.externalID.to(u.ExternalID)
		}
		for k, v := range u.Set {
			if f.fields == nil {
				f.fields = make(map[string]*string)
			}
			v := v
			f.fields[k] = &v
		}
		for _, k := range u.Clear {
			switch k {
			case importer.ClearPhone:
				f.phone.to("")
			case importer.ClearExternalID:
				f.externalID.to("")
			case importer.ClearAccount:
				f.accountID.to("")
			case importer.ClearStatus:
				f.status.to("")
			default:
				if f.fields == nil {
					f.fields = make(map[string]*string)
				}
				f.fields[k] = nil
			}
		}
		if u.ReplaceTags {
			f.replaceTags = true
			f.tags = dedupeTags(nil, u.Tags)
		} else {
			f.tags = dedupeTags(f.tags, u.AddTags)
		}
		if u.Status != "" {
			f.status.to(string(u.Status))
		}
		if u.AccountID != "" {
			f.accountID.to(u.AccountID)
		}
	}
	slices.SortFunc(plan, func(a, b *folded) int { return cmp.Compare(a.id, b.id) })
	return plan, nil
}

// applyUpdates reads the fields and tags of every contact updated (failing
// with ErrNotFound when one is not stored; on PostgreSQL the rows are
// locked, in ID order, until the transaction ends, so that concurrent
// updates of a contact's fields apply one after the other), merges the
// changes in, and writes the changed columns with one UPDATE … FROM
// (VALUES …) per chunk.
func (s *Store) applyUpdates(ctx context.Context, tx *sql.Tx, plan []*folded) error {
	if len(plan) == 0 {
		return nil
	}
	ids := make([]int64, len(plan))
	for i, f := range plan {
		ids[i] = f.id
	}
	stored, err := s.storedDetails(ctx, tx, ids)
	if err != nil {
		return err
	}

	type rowChange struct {
		f            *folded
		fields, tags any // encoded column, or nil to keep it
	}
	var cols []rowChange
	for _, f := range plan {
		ch := rowChange{f: f}
		st := stored[f.id]
		if len(f.fields) > 0 {
			m := st.fields
			if m == nil {
				m = make(map[string]string, len(f.fields))
			}
			for k, v := range f.fields {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = *v
				}
			}
			enc, err := encodeFields(m)
			if err != nil {
				return fmt.Errorf("contact %s: %w", formatID(f.id), err)
			}
			ch.fields = enc
		}
		if f.replaceTags || len(f.tags) > 0 {
			tags := f.tags
			if !f.replaceTags {
				tags = dedupeTags(st.tags, f.tags)
			}
			if f.replaceTags || len(tags) > len(st.tags) {
				enc, err := encodeTags(tags)
				if err != nil {
					return fmt.Errorf("contact %s: %w", formatID(f.id), err)
				}
				ch.tags = enc
			}
		}
		if f.email.set || f.phone.set || f.externalID.set || f.status.set || f.accountID.set || ch.fields != nil || ch.tags != nil {
			cols = append(cols, ch)
		}
	}

	jsonCol := func(n string) string {
		if s.dialect == Postgres {
			return `CAST(v.` + n + ` AS JSONB)`
		}
		return `v.` + n
	}
	return chunks(cols, s.chunkRows(9), func(part []rowChange) error {
		b := s.build().SQL(`UPDATE `, s.t.contacts, ` SET `,
			`email = COALESCE(v.column2, email), email_key = COALESCE(v.column3, email_key), `,
			`phone = COALESCE(v.column4, phone), external_id = COALESCE(v.column5, external_id), `,
			`status = COALESCE(v.column6, status), account_id = COALESCE(v.column7, account_id), `,
			`fields = COALESCE(`, jsonCol("column8"), `, fields), tags = COALESCE(`, jsonCol("column9"), `, tags) FROM (VALUES `)
		for i, ch := range part {
			f := ch.f
			if i > 0 {
				b.SQL(", ")
			}
			var key any
			if f.email.set {
				key = importer.EmailKey(f.email.val)
			}
			b.SQL("(").Cast(f.id, "BIGINT").SQL(", ").Cast(f.email.arg(), "TEXT").SQL(", ").Cast(key, "TEXT").SQL(", ").
				Cast(f.phone.arg(), "TEXT").SQL(", ").Cast(f.externalID.arg(), "TEXT").SQL(", ").
				Cast(f.status.arg(), "TEXT").SQL(", ").Cast(f.accountID.arg(), "TEXT").SQL(", ").
				Cast(ch.fields, "TEXT").SQL(", ").Cast(ch.tags, "TEXT").SQL(")")
		}
		b.SQL(`) AS v WHERE `, s.t.contacts, `.id = v.column1`)
		_, err := b.Exec(ctx, tx)
		if sqlbase.IsUniqueViolation(err) {
			// The only unique indexes of the table the statement can
			// violate are those of the e-mail key and the external ID.
			ce := &importer.ConflictError{Err: err}
			for _, ch := range part {
				f := ch.f
				if f.email.set && f.email.val != "" {
					ce.Keys = append(ce.Keys, importer.Key{Kind: importer.KeyEmail, Value: importer.EmailKey(f.email.val)})
				}
				if f.externalID.set && f.externalID.val != "" {
					ce.Keys = append(ce.Keys, importer.Key{Kind: importer.KeyExternalID, Value: f.externalID.val})
				}
			}
			return ce
		}
		return err
	})
}

// details are a stored contact's fields and tags.
type details struct {
	fields map[string]string
	tags   []string
}

// storedDetails reads the fields and tags of the contacts ids (sorted), on
// PostgreSQL locking their rows, and fails with ErrNotFound naming the
// first of ids that is not a stored contact.
func (s *Store) storedDetails(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]details, error) {
	found := make(map[int64]details, len(ids))
	err := chunks(ids, s.listChunk(), func(part []int64) error {
		b := s.build().SQL(`SELECT id, fields, tags FROM `, s.t.contacts, ` WHERE id`)
		in(s, b, part)
		if s.dialect == Postgres {
			b.SQL(` ORDER BY id FOR UPDATE`)
		}
		return b.Each(ctx, tx, func(rows *sql.Rows) error {
			var (
				id           int64
				fields, tags []byte
				d            details
			)
			if err := rows.Scan(&id, &fields, &tags); err != nil {
				return err
			}
			var err error
			if d.fields, err = decodeFields(fields); err != nil {
				return fmt.Errorf("contact %s: fields: %w", formatID(id), err)
			}
			if d.tags, err = decodeTags(tags); err != nil {
				return fmt.Errorf("contact %s: tags: %w", formatID(id), err)
			}
			found[id] = d
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			return nil, fmt.Errorf("contact %s: %w", formatID(id), importer.ErrNotFound)
		}
	}
	return found, nil
}

// dedupeTags appends to dst the tags not already in it, skipping empty ones.
func dedupeTags(dst, tags []string) []string {
	for _, t := range tags {
		if t != "" && !slices.Contains(dst, t) {
			dst = append(dst, t)
		}
	}
	return dst
}

func uniqueNonEmpty(vs []string) []string {
	seen := make(map[string]bool, len(vs))
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// deferForeignKeys, on SQLite, makes the transaction check its foreign keys
// when it commits rather than after each statement. A multi-row statement
// that may abort half-way (an immediate foreign key check, a NOT NULL or
// unique constraint without OR IGNORE) makes SQLite keep a statement
// journal of every page it changes, in order to undo the statement alone;
// with deferred checks and OR IGNORE the inserts of a batch cannot abort,
// and the journal's allocations (mmap and munmap calls in modernc.org's
// allocator: a third of an import's CPU time) are gone. The write paths
// only reference contacts that exist in the transaction, so the check at
// commit always passes. The pragma ends with the transaction.
func (s *Store) deferForeignKeys(ctx context.Context, tx *sql.Tx) error {
	if s.dialect != SQLite {
		return nil
	}
	_, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`)
	return err
}

// ListContacts implements importer.ContactLister: every contact in
// creation (ID) order, with its fields and tags, read listPage contacts at
// a time, each page in one read-only transaction; no connection is held
// between pages.
func (s *Store) ListContacts(ctx context.Context) iter.Seq2[importer.Contact, error] {
	return func(yield func(importer.Contact, error) bool) {
		var after int64
		for {
			if err := ctx.Err(); err != nil {
				yield(importer.Contact{}, s.wrap(ctx, "list contacts", err))
				return
			}
			var page []importer.Contact
			err := s.readTx(ctx, func(tx *sql.Tx) error {
				page = page[:0]
				b := s.build().SQL(`SELECT `, contactColumns, ` FROM `, s.t.contacts,
					` WHERE id > `).Arg(after).SQL(` ORDER BY id LIMIT `).Arg(listPage)
				return b.Each(ctx, tx, func(rows *sql.Rows) error {
					c, err := scanContact(rows)
					page = append(page, c)
					return err
				})
			})
			if err != nil {
				yield(importer.Contact{}, s.wrap(ctx, "list contacts", err))
				return
			}
			for _, c := range page {
				if !yield(c, nil) {
					return
				}
			}
			if len(page) < listPage {
				return
			}
			after, _ = parseID(page[len(page)-1].ID)
		}
	}
}
