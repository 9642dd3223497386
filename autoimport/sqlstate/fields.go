package sqlstate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// Fields is an autoimport.FieldCatalog in the Store's database, for hosts
// that keep no custom fields of their own: every workspace has a base
// schema (the same for all) and its own custom fields in the
// autoimport_fields table, so that runners on several machines share them.
// A host with its own field table implements autoimport.FieldCatalog on it
// instead. It is safe for concurrent use, across processes too.
type Fields struct {
	s        *Store
	base     []byte            // the base schema, as JSON
	baseKeys map[string]bool   // keys of the base fields
	baseTags map[string]string // tag → key of the base fields
}

var _ autoimport.FieldCatalog = (*Fields)(nil)

// Fields returns the catalogue whose workspaces start with base (nil means
// mapping.DefaultSchema()) and keep their custom fields in the store's
// database. tags gives base fields their personalization tags by key; a
// field without one is tagged autoimport.Tag(key). Call Migrate first.
func (s *Store) Fields(base *mapping.Schema, tags map[string]string) *Fields {
	if base == nil {
		base = mapping.DefaultSchema()
	}
	raw, err := json.Marshal(base)
	if err != nil {
		// A mapping.Schema is plain data: this cannot happen.
		panic("sqlstate: base schema: " + err.Error())
	}
	f := &Fields{s: s, base: raw, baseKeys: make(map[string]bool), baseTags: make(map[string]string)}
	for _, fd := range base.Fields {
		f.baseKeys[fd.Key] = true
		t := autoimport.Tag(fd.Key)
		if v, ok := tags[fd.Key]; ok {
			t = v
		}
		f.baseTags[t] = fd.Key
	}
	return f
}

// Schema implements autoimport.FieldCatalog: the base schema, then the
// workspace's custom fields (text) in the order they were created.
func (f *Fields) Schema(ctx context.Context, workspace string) (*mapping.Schema, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var schema mapping.Schema
	if err := json.Unmarshal(f.base, &schema); err != nil {
		return nil, errors.New("sqlstate: base schema does not round-trip")
	}
	s := f.s
	rows, err := s.build(`SELECT key, label FROM `, s.t.fields, ` WHERE workspace = `).Arg(workspace).SQL(` ORDER BY seq`).
		Query(ctx, s.db)
	if err != nil {
		return nil, wrap(ctx, "schema", err)
	}
	defer rows.Close()
	for rows.Next() {
		var fd mapping.Field
		if err := rows.Scan(&fd.Key, &fd.Label); err != nil {
			return nil, wrap(ctx, "schema", err)
		}
		fd.Kind = validate.Text
		schema.Fields = append(schema.Fields, fd)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "schema", err)
	}
	return &schema, nil
}

// EnsureField implements autoimport.FieldCatalog. A new field's key is the
// tag in lower case, with a numeric suffix if the workspace has that key.
// The table's unique constraints on (workspace, tag) and (workspace, key)
// make concurrent calls, from any process, create one field.
func (f *Fields) EnsureField(ctx context.Context, workspace, tag, label string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	if k, ok := f.baseTags[tag]; ok {
		return k, false, nil
	}
	s := f.s
	lookup := func() (string, error) {
		var key string
		err := s.build(`SELECT key FROM `, s.t.fields, ` WHERE workspace = `).Arg(workspace).SQL(` AND tag = `).Arg(tag).
			Row(ctx, s.db).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return key, err
	}
	base := strings.ToLower(tag)
	for n := 1; n < 1000; n++ {
		if key, err := lookup(); err != nil {
			return "", false, wrap(ctx, "ensure field", err)
		} else if key != "" {
			return key, false, nil
		}
		key := base
		if n > 1 {
			key = base + "_" + strconv.Itoa(n)
		}
		if f.baseKeys[key] {
			continue
		}
		res, err := s.build(`INSERT INTO `, s.t.fields, ` (workspace, key, tag, label) VALUES (`).Arg(workspace).SQL(", ").
			Arg(key).SQL(", ").Arg(tag).SQL(", ").Arg(label).SQL(`) ON CONFLICT DO NOTHING`).Exec(ctx, s.db)
		if err != nil {
			return "", false, wrap(ctx, "ensure field", err)
		}
		if c, err := res.RowsAffected(); err != nil {
			return "", false, wrap(ctx, "ensure field", err)
		} else if c > 0 {
			return key, true, nil
		}
		// The tag was created concurrently (the lookup finds it), or the
		// key is another tag's: try the next suffix.
	}
	return "", false, errors.New("sqlstate: ensure field: no free key for tag " + tag)
}

// Presence is an autoimport.Presence in the Store's database (the
// autoimport_presence table): per import, the last sweep that returned
// each external ID and whether it is marked gone. Marking is a flag in that
// table; a host that wants it on its contacts reads it from there or
// implements autoimport.Presence itself. It is safe for concurrent use.
type Presence struct{ s *Store }

var _ autoimport.Presence = (*Presence)(nil)

// Presence returns the store's Presence. Call Migrate first.
func (s *Store) Presence() *Presence { return &Presence{s: s} }

// presenceChunk is how many external IDs one statement writes.
const presenceChunk = 200

// Present implements autoimport.Presence: one upsert per chunk of IDs,
// which never moves an ID back to an older sweep.
func (p *Presence) Present(ctx context.Context, ref autoimport.Ref, sweep int64, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := p.s
	// One row per ID: an upsert cannot change a row twice.
	seen := make(map[string]bool, len(ids))
	uniq := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	ids = uniq
	for len(ids) > 0 {
		chunk := ids[:min(presenceChunk, len(ids))]
		ids = ids[len(chunk):]
		b := s.build(`INSERT INTO `, s.t.presence, ` (workspace, import_id, external_id, sweep, gone) VALUES `)
		for i, id := range chunk {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(ref.Workspace).SQL(", ").Arg(ref.ID).SQL(", ").Arg(id).SQL(", ").Arg(sweep).SQL(", FALSE)")
		}
		b.SQL(` ON CONFLICT (workspace, import_id, external_id) DO UPDATE SET sweep = excluded.sweep, gone = FALSE
	WHERE `, s.t.presence, `.sweep <= excluded.sweep`)
		if _, err := b.Exec(ctx, s.db); err != nil {
			return wrap(ctx, "present", err)
		}
	}
	return nil
}

// MarkGone implements autoimport.Presence.
func (p *Presence) MarkGone(ctx context.Context, ref autoimport.Ref, sweep int64) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s := p.s
	res, err := s.build(`UPDATE `, s.t.presence, ` SET gone = TRUE WHERE workspace = `).Arg(ref.Workspace).
		SQL(` AND import_id = `).Arg(ref.ID).SQL(` AND sweep < `).Arg(sweep).SQL(` AND gone = FALSE`).Exec(ctx, s.db)
	if err != nil {
		return 0, wrap(ctx, "mark gone", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap(ctx, "mark gone", err)
	}
	return int(n), nil
}

// Gone returns the external IDs of the import marked gone, sorted.
func (p *Presence) Gone(ctx context.Context, ref autoimport.Ref) ([]string, error) {
	s := p.s
	rows, err := s.build(`SELECT external_id FROM `, s.t.presence, ` WHERE workspace = `).Arg(ref.Workspace).
		SQL(` AND import_id = `).Arg(ref.ID).SQL(` AND gone = TRUE ORDER BY external_id`).Query(ctx, s.db)
	if err != nil {
		return nil, wrap(ctx, "gone", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(ctx, "gone", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "gone", err)
	}
	sort.Strings(out) // byte order, whatever the database's collation
	return out, nil
}
