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
// finds the contacts, then one reads their fields and one their tags, all
// in one read-only transaction. Contacts come in ascending creation order.
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
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		err := chunks(keys, s.listChunk(), func(part []string) error {
			b := s.keyQuery(col, part)
			return b.Each(ctx, tx, func(rows *sql.Rows) error {
				var (
					id int64
					c  importer.Contact
				)
				if err := rows.Scan(&id, &c.Email, &c.Phone, &c.ExternalID, &c.Status, &c.AccountID, &c.Duplicate); err != nil {
					return err
				}
				c.ID = formatID(id)
				out = append(out, c)
				return nil
			})
		})
		if err != nil {
			return err
		}
		return s.loadDetails(ctx, tx, out)
	})
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
	head := `SELECT id, email, phone, external_id, status, account_id, duplicate FROM ` + s.t.contacts + ` WHERE ` + col
	b := s.build().SQL(head)
	if col != keyColumn[importer.KeyEmail] && col != keyColumn[importer.KeyExternalID] {
		return in(s, b, values)
	}
	in(s, b, values).SQL(` AND `, col, ` <> '' AND NOT duplicate UNION ALL `, head)
	return in(s, b, values).SQL(` AND duplicate`)
}

// loadDetails sorts cs by ID (creation order) and fills in
// their fields and tags.
func (s *Store) loadDetails(ctx context.Context, q querier, cs []importer.Contact) error {
	ids := make([]int64, len(cs))
	for i := range cs {
		ids[i], _ = parseID(cs[i].ID)
	}
	// Values are deduplicated and a contact has one key of each kind, so no
	// contact comes twice; sort by numeric ID (creation order).
	sort.Sort(byID{cs, ids})
	pos := make(map[int64]int, len(cs))
	for i, id := range ids {
		pos[id] = i
	}
	err := s.loadFields(ctx, q, s.t.fields, "contact_id", ids, func(id int64, k, val string) {
		c := &cs[pos[id]]
		if c.Fields == nil {
			c.Fields = make(map[string]string)
		}
		c.Fields[k] = val
	})
	if err != nil {
		return err
	}
	return chunks(ids, s.listChunk(), func(part []int64) error {
		b := s.build().SQL(`SELECT contact_id, tag FROM `, s.t.tags, ` WHERE contact_id`)
		in(s, b, part)
		b.SQL(` ORDER BY contact_id, seq`)
		return b.Each(ctx, q, func(rows *sql.Rows) error {
			var (
				id  int64
				tag string
			)
			if err := rows.Scan(&id, &tag); err != nil {
				return err
			}
			c := &cs[pos[id]]
			c.Tags = append(c.Tags, tag)
			return nil
		})
	})
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

// insertContacts inserts contacts with multi-row INSERT … RETURNING id
// statements and returns their IDs in order, then inserts their fields and
// tags with multi-row statements.
func (s *Store) insertContacts(ctx context.Context, tx *sql.Tx, contacts []importer.Contact) ([]string, error) {
	if len(contacts) == 0 {
		return []string{}, nil
	}
	newIDs := make([]int64, 0, len(contacts))
	cache := newStmtCache(tx)
	err := chunks(contacts, s.chunkRows(7), func(part []importer.Contact) error {
		if s.dialect == Postgres {
			return s.pgInsertContacts(ctx, tx, part, &newIDs)
		}
		// OR IGNORE: a contact whose unique key is taken is skipped, as
		// with ON CONFLICT DO NOTHING, and the statement cannot abort
		// half-way, so SQLite keeps no statement journal for it (see
		// deferForeignKeys).
		b := s.build().SQL(`INSERT OR IGNORE INTO `, s.t.contacts, ` (email, email_key, phone, external_id, status, account_id, duplicate) VALUES `)
		for i := range part {
			c := &part[i]
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(c.Email).SQL(", ").Arg(importer.EmailKey(c.Email)).SQL(", ").Arg(c.Phone).SQL(", ").
				Arg(c.ExternalID).SQL(", ").Arg(string(c.Status)).SQL(", ").Arg(c.AccountID).SQL(", ").Arg(c.Duplicate).SQL(")")
		}
		// A contact whose unique key is taken is not inserted (and not
		// returned): the call then fails with a conflict, rolled back.
		b.SQL(` RETURNING id`)
		rows, err := cache.query(ctx, b)
		if err != nil {
			return err
		}
		defer rows.Close()
		start := len(newIDs)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			newIDs = append(newIDs, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if got := len(newIDs) - start; got != len(part) {
			return s.conflict(ctx, tx, part, newIDs[start:])
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

	var fields []fieldRow
	var tags []tagRow
	for i := range contacts {
		id := newIDs[i]
		keys := make([]string, 0, len(contacts[i].Fields))
		for k := range contacts[i].Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fields = append(fields, fieldRow{id, k, contacts[i].Fields[k]})
		}
		for _, t := range dedupeTags(nil, contacts[i].Tags) {
			tags = append(tags, tagRow{id, t})
		}
	}
	if err := s.upsertFields(ctx, tx, fields, false); err != nil {
		return nil, err
	}
	if err := s.insertTags(ctx, tx, tags); err != nil {
		return nil, err
	}
	out := make([]string, len(newIDs))
	for i, id := range newIDs {
		out[i] = formatID(id)
	}
	return out, nil
}

type fieldRow struct {
	id         int64
	key, value string
}

type tagRow struct {
	id  int64
	tag string
}

// upsertFields writes contact field values in multi-row statements; with
// replace, existing values of the same keys are overwritten.
func (s *Store) upsertFields(ctx context.Context, tx *sql.Tx, rows []fieldRow, replace bool) error {
	return s.insertFieldRows(ctx, tx, s.t.fields, "contact_id", rows, replace)
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

// insertTags adds tags in multi-row statements, skipping those a contact
// already has; new tags come after existing ones in the given order.
func (s *Store) insertTags(ctx context.Context, tx *sql.Tx, rows []tagRow) error {
	if s.dialect == Postgres && len(rows) > 0 {
		ids, tags := make([]int64, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			ids[i], tags[i] = r.id, r.tag
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO `+s.t.tags+` (contact_id, tag)
SELECT c, t FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u(c, t, n) ORDER BY n
ON CONFLICT (contact_id, tag) DO NOTHING`, ids, tags)
		return err
	}
	cache := newStmtCache(tx)
	return chunks(rows, s.chunkRows(2), func(part []tagRow) error {
		// OR IGNORE skips a tag the contact has, as ON CONFLICT (contact_id,
		// tag) DO NOTHING would (the table's only other key is its rowid),
		// without a statement journal (see deferForeignKeys).
		b := s.build().SQL(`INSERT OR IGNORE INTO `, s.t.tags, ` (contact_id, tag) VALUES `)
		for i, r := range part {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(r.id).SQL(", ").Arg(r.tag).SQL(")")
		}
		_, err := cache.exec(ctx, b)
		return err
	})
}

// pgInsertContacts inserts contacts on PostgreSQL with one statement over
// arrays (unnest, in the given order), so that a batch costs one round
// trip and one prepared statement whatever its size, and appends the new
// IDs, in order, to ids.
func (s *Store) pgInsertContacts(ctx context.Context, tx *sql.Tx, part []importer.Contact, ids *[]int64) error {
	n := len(part)
	email, key, phone, ext, status, acc := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	dup := make([]bool, n)
	for i := range part {
		c := &part[i]
		email[i], key[i], phone[i], ext[i], status[i], acc[i], dup[i] = c.Email, importer.EmailKey(c.Email), c.Phone, c.ExternalID, string(c.Status), c.AccountID, c.Duplicate
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO `+s.t.contacts+` (email, email_key, phone, external_id, status, account_id, duplicate)
SELECT e, k, p, x, s, a, d FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
WITH ORDINALITY AS u(e, k, p, x, s, a, d, n) ORDER BY n
ON CONFLICT DO NOTHING RETURNING id`, email, key, phone, ext, status, acc, dup)
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
		return s.conflict(ctx, tx, part, (*ids)[start:])
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

// applyUpdates checks that every contact exists, then writes the dedicated
// columns with one UPDATE … FROM (VALUES …) per chunk, and fields and tags
// with multi-row DELETE and INSERT statements.
func (s *Store) applyUpdates(ctx context.Context, tx *sql.Tx, plan []*folded) error {
	if len(plan) == 0 {
		return nil
	}
	ids := make([]int64, len(plan))
	for i, f := range plan {
		ids[i] = f.id
	}
	if err := s.checkExist(ctx, tx, ids); err != nil {
		return err
	}

	var cols []*folded
	var delFields []fieldRow
	var setFields []fieldRow
	var dropTags []int64
	var addTags []tagRow
	for _, f := range plan {
		if f.email.set || f.phone.set || f.externalID.set || f.status.set || f.accountID.set {
			cols = append(cols, f)
		}
		keys := make([]string, 0, len(f.fields))
		for k := range f.fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := f.fields[k]; v == nil {
				delFields = append(delFields, fieldRow{id: f.id, key: k})
			} else {
				setFields = append(setFields, fieldRow{f.id, k, *v})
			}
		}
		if f.replaceTags {
			dropTags = append(dropTags, f.id)
		}
		for _, t := range f.tags {
			addTags = append(addTags, tagRow{f.id, t})
		}
	}

	err := chunks(cols, s.chunkRows(7), func(part []*folded) error {
		b := s.build().SQL(`UPDATE `, s.t.contacts, ` SET `,
			`email = COALESCE(v.column2, email), email_key = COALESCE(v.column3, email_key), `,
			`phone = COALESCE(v.column4, phone), external_id = COALESCE(v.column5, external_id), `,
			`status = COALESCE(v.column6, status), account_id = COALESCE(v.column7, account_id) FROM (VALUES `)
		for i, f := range part {
			if i > 0 {
				b.SQL(", ")
			}
			var key any
			if f.email.set {
				key = importer.EmailKey(f.email.val)
			}
			b.SQL("(").Cast(f.id, "BIGINT").SQL(", ").Cast(f.email.arg(), "TEXT").SQL(", ").Cast(key, "TEXT").SQL(", ").
				Cast(f.phone.arg(), "TEXT").SQL(", ").Cast(f.externalID.arg(), "TEXT").SQL(", ").
				Cast(f.status.arg(), "TEXT").SQL(", ").Cast(f.accountID.arg(), "TEXT").SQL(")")
		}
		b.SQL(`) AS v WHERE `, s.t.contacts, `.id = v.column1`)
		_, err := b.Exec(ctx, tx)
		if sqlbase.IsUniqueViolation(err) {
			// The only unique indexes of the table the statement can
			// violate are those of the e-mail key and the external ID.
			ce := &importer.ConflictError{Err: err}
			for _, f := range part {
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
	if err != nil {
		return err
	}

	err = s.deleteFieldRows(ctx, tx, s.t.fields, "contact_id", delFields)
	if err != nil {
		return err
	}
	if err := s.upsertFields(ctx, tx, setFields, true); err != nil {
		return err
	}
	err = chunks(dropTags, s.maxParams(), func(part []int64) error {
		b := s.build().SQL(`DELETE FROM `, s.t.tags, ` WHERE contact_id IN `)
		sqlbase.List(b, part)
		_, err := b.Exec(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	return s.insertTags(ctx, tx, addTags)
}

// checkExist fails with ErrNotFound naming the first of ids that is not a
// stored contact.
func (s *Store) checkExist(ctx context.Context, tx *sql.Tx, ids []int64) error {
	found := make(map[int64]bool, len(ids))
	err := chunks(ids, s.maxParams(), func(part []int64) error {
		b := s.build().SQL(`SELECT id FROM `, s.t.contacts, ` WHERE id IN `)
		sqlbase.List(b, part)
		return b.Each(ctx, tx, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			found[id] = true
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !found[id] {
			return fmt.Errorf("contact %s: %w", formatID(id), importer.ErrNotFound)
		}
	}
	return nil
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
// creation (ID) order, read listPage contacts at a time, each page with its
// fields and tags in one read-only transaction; no connection is held
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
				b := s.build().SQL(`SELECT id, email, phone, external_id, status, account_id, duplicate FROM `, s.t.contacts,
					` WHERE id > `).Arg(after).SQL(` ORDER BY id LIMIT `).Arg(listPage)
				err := b.Each(ctx, tx, func(rows *sql.Rows) error {
					var (
						id int64
						c  importer.Contact
					)
					if err := rows.Scan(&id, &c.Email, &c.Phone, &c.ExternalID, &c.Status, &c.AccountID, &c.Duplicate); err != nil {
						return err
					}
					c.ID = formatID(id)
					page = append(page, c)
					return nil
				})
				if err != nil || len(page) == 0 {
					return err
				}
				return s.loadDetails(ctx, tx, page)
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
