package sqlstate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/contactkit/contactkit/autoimport"
)

// importCols are the columns scanImport reads, in order.
const importCols = `workspace, id, name, service, account, filters, interval_ns, paused, credentials, revision,
	created_at, updated_at, next_run, attention_code, attention_message, attention_at, sync_state,
	lease_token, lease_expires`

type scanner interface{ Scan(dest ...any) error }

func scanImport(sc scanner) (*autoimport.Import, error) {
	var (
		imp                           autoimport.Import
		filters, syncState            string
		interval                      int64
		creds                         []byte
		created, updated, next, attAt sql.NullInt64
		attCode, attMsg               sql.NullString
		leaseExpires                  sql.NullInt64
	)
	err := sc.Scan(&imp.Workspace, &imp.ID, &imp.Name, &imp.Service, &imp.Account, &filters, &interval,
		&imp.Paused, &creds, &imp.Revision, &created, &updated, &next, &attCode, &attMsg, &attAt,
		&syncState, &imp.Lease.Token, &leaseExpires)
	if err != nil {
		return nil, err
	}
	if filters != "" {
		if err := json.Unmarshal([]byte(filters), &imp.Filters); err != nil {
			return nil, errors.New("sqlstate: stored filters of " + imp.Ref().String() + " are not valid JSON")
		}
	}
	if syncState != "" {
		if err := json.Unmarshal([]byte(syncState), &imp.Sync); err != nil {
			return nil, errors.New("sqlstate: stored sync state of " + imp.Ref().String() + " is not valid JSON")
		}
	}
	imp.Interval = time.Duration(interval)
	if len(creds) > 0 {
		imp.Credentials = autoimport.NewSecret(string(creds))
	}
	clear(creds)
	imp.Created, imp.Updated, imp.NextRun = fromMicros(created), fromMicros(updated), fromMicros(next)
	if attCode.Valid {
		imp.Attention = &autoimport.Attention{Code: attCode.String, Message: attMsg.String, At: fromMicros(attAt)}
	}
	imp.Lease.Expires = fromMicros(leaseExpires)
	return &imp, nil
}

func filtersJSON(fs []autoimport.Filter) (string, error) {
	if len(fs) == 0 {
		return "", nil
	}
	b, err := json.Marshal(fs)
	return string(b), err
}

func syncJSON(s autoimport.Sync) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// credentials returns the sealed credentials as stored: bytes, or NULL for
// none. The Store never sees plaintext unless the Runner's Sealer is
// autoimport.PlaintextSealer.
func credentials(s autoimport.Secret) any {
	if s.IsZero() {
		return nil
	}
	return []byte(s.Reveal())
}

func attention(a *autoimport.Attention) (code, msg, at any) {
	if a == nil {
		return nil, nil, nil
	}
	return a.Code, a.Message, micros(a.At)
}

// Create implements autoimport.Store.
func (s *Store) Create(ctx context.Context, imp *autoimport.Import) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	filters, err := filtersJSON(imp.Filters)
	if err != nil {
		return wrap(ctx, "create", err)
	}
	code, msg, at := attention(imp.Attention)
	b := s.build(`INSERT INTO `, s.t.imports, ` (workspace, id, name, service, account, filters, interval_ns, paused,
	credentials, revision, created_at, updated_at, next_run, attention_code, attention_message, attention_at, sync_state)
VALUES (`).arg(imp.Workspace).sql(", ").arg(imp.ID).sql(", ").arg(imp.Name).sql(", ").arg(imp.Service).sql(", ").
		arg(imp.Account).sql(", ").arg(filters).sql(", ").arg(int64(imp.Interval)).sql(", ").arg(imp.Paused).sql(", ").
		arg(credentials(imp.Credentials)).sql(", 1, ").arg(micros(imp.Created)).sql(", ").arg(micros(imp.Updated)).sql(", ").
		arg(micros(imp.NextRun)).sql(", ").arg(code).sql(", ").arg(msg).sql(", ").arg(at).sql(`, '')
ON CONFLICT (workspace, id) DO NOTHING`)
	res, err := b.exec(ctx, s.db)
	if err != nil {
		return wrap(ctx, "create", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(ctx, "create", err)
	} else if n == 0 {
		return autoimport.ErrExists
	}
	return nil
}

// Get implements autoimport.Store.
func (s *Store) Get(ctx context.Context, ref autoimport.Ref) (*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := s.build(`SELECT `, importCols, ` FROM `, s.t.imports, ` WHERE workspace = `).arg(ref.Workspace).
		sql(` AND id = `).arg(ref.ID)
	imp, err := scanImport(b.row(ctx, s.db))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, autoimport.ErrNotFound
	}
	if err != nil {
		return nil, wrap(ctx, "get", err)
	}
	return imp, nil
}

// List implements autoimport.Store.
func (s *Store) List(ctx context.Context, workspace string) ([]*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := s.build(`SELECT `, importCols, ` FROM `, s.t.imports, ` WHERE workspace = `).arg(workspace).sql(` ORDER BY id`)
	rows, err := b.query(ctx, s.db)
	if err != nil {
		return nil, wrap(ctx, "list", err)
	}
	defer rows.Close()
	var out []*autoimport.Import
	for rows.Next() {
		imp, err := scanImport(rows)
		if err != nil {
			return nil, wrap(ctx, "list", err)
		}
		out = append(out, imp)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "list", err)
	}
	return out, nil
}

// exists reports whether the import is stored.
func (s *Store) exists(ctx context.Context, q querier, ref autoimport.Ref) (bool, error) {
	var one int
	err := s.build(`SELECT 1 FROM `, s.t.imports, ` WHERE workspace = `).arg(ref.Workspace).sql(` AND id = `).arg(ref.ID).
		row(ctx, q).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Update implements autoimport.Store: a compare-and-set on revision.
func (s *Store) Update(ctx context.Context, imp *autoimport.Import) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	filters, err := filtersJSON(imp.Filters)
	if err != nil {
		return wrap(ctx, "update", err)
	}
	code, msg, at := attention(imp.Attention)
	b := s.build(`UPDATE `, s.t.imports, ` SET name = `).arg(imp.Name).sql(`, service = `).arg(imp.Service).
		sql(`, account = `).arg(imp.Account).sql(`, filters = `).arg(filters).sql(`, interval_ns = `).arg(int64(imp.Interval)).
		sql(`, paused = `).arg(imp.Paused).sql(`, credentials = `).arg(credentials(imp.Credentials)).
		sql(`, updated_at = `).arg(micros(imp.Updated)).sql(`, next_run = `).arg(micros(imp.NextRun)).
		sql(`, attention_code = `).arg(code).sql(`, attention_message = `).arg(msg).sql(`, attention_at = `).arg(at).
		sql(`, revision = revision + 1 WHERE workspace = `).arg(imp.Workspace).sql(` AND id = `).arg(imp.ID).
		sql(` AND revision = `).arg(imp.Revision)
	return s.casOr(ctx, "update", b, imp.Ref(), autoimport.ErrConflict)
}

// casOr runs a compare-and-set statement; when it changes no row it
// returns ErrNotFound if the import does not exist and otherwise lost.
func (s *Store) casOr(ctx context.Context, op string, b *builder, ref autoimport.Ref, lost error) error {
	res, err := b.exec(ctx, s.db)
	if err != nil {
		return wrap(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(ctx, op, err)
	}
	if n > 0 {
		return nil
	}
	ok, err := s.exists(ctx, s.db, ref)
	if err != nil {
		return wrap(ctx, op, err)
	}
	if !ok {
		return autoimport.ErrNotFound
	}
	return lost
}

// Delete implements autoimport.Store.
func (s *Store) Delete(ctx context.Context, ref autoimport.Ref) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.build(`DELETE FROM `, s.t.imports, ` WHERE workspace = `).arg(ref.Workspace).
			sql(` AND id = `).arg(ref.ID).exec(ctx, tx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return autoimport.ErrNotFound
		}
		_, err = s.build(`DELETE FROM `, s.t.runs, ` WHERE workspace = `).arg(ref.Workspace).
			sql(` AND import_id = `).arg(ref.ID).exec(ctx, tx)
		return err
	})
	return wrap(ctx, "delete", err)
}

// leaseFree is the condition, on a row, that the lease may be taken at now
// by token: free, expired (expiry not after now), or token's own.
func leaseFree(b *builder, token string, now time.Time) *builder {
	return b.sql(`(lease_token = '' OR lease_expires IS NULL OR lease_expires <= `).arg(now.UnixMicro()).
		sql(` OR lease_token = `).arg(token).sql(`)`)
}

// Due implements autoimport.Store.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]autoimport.Ref, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := now.UnixMicro()
	b := s.build(`SELECT workspace, id FROM `, s.t.imports, ` WHERE paused = FALSE AND next_run IS NOT NULL AND next_run <= `).
		arg(n).sql(` AND (lease_token = '' OR lease_expires IS NULL OR lease_expires <= `).arg(n).
		sql(`) ORDER BY next_run, workspace, id LIMIT `).arg(limit)
	rows, err := b.query(ctx, s.db)
	if err != nil {
		return nil, wrap(ctx, "due", err)
	}
	defer rows.Close()
	var out []autoimport.Ref
	for rows.Next() {
		var r autoimport.Ref
		if err := rows.Scan(&r.Workspace, &r.ID); err != nil {
			return nil, wrap(ctx, "due", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "due", err)
	}
	return out, nil
}

// Acquire implements autoimport.Store with one compare-and-set UPDATE:
// the lease is written only where it is free, expired at now, or token's,
// so of two processes racing for it exactly one changes the row (on
// PostgreSQL the second UPDATE waits for the first and re-checks the row it
// wrote; SQLite runs writes one at a time).
func (s *Store) Acquire(ctx context.Context, ref autoimport.Ref, token string, now, expires time.Time) (*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		b := s.build(`UPDATE `, s.t.imports, ` SET lease_token = `).arg(token).sql(`, lease_expires = `).arg(expires.UnixMicro()).
			sql(` WHERE workspace = `).arg(ref.Workspace).sql(` AND id = `).arg(ref.ID).sql(` AND `)
		leaseFree(b, token, now).sql(` RETURNING `, importCols)
		imp, err := scanImport(b.row(ctx, s.db))
		if err == nil {
			return imp, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, wrap(ctx, "acquire", err)
		}
		// Nothing changed: the import is missing or someone holds the lease.
		var (
			holder  string
			expiry  sql.NullInt64
			nowUsec = now.UnixMicro()
		)
		err = s.build(`SELECT lease_token, lease_expires FROM `, s.t.imports, ` WHERE workspace = `).arg(ref.Workspace).
			sql(` AND id = `).arg(ref.ID).row(ctx, s.db).Scan(&holder, &expiry)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, autoimport.ErrNotFound
		}
		if err != nil {
			return nil, wrap(ctx, "acquire", err)
		}
		if holder != "" && holder != token && expiry.Valid && expiry.Int64 > nowUsec || attempt == 2 {
			return nil, &autoimport.LeaseError{Expires: fromMicros(expiry)}
		}
		// The holder released the lease in between: try again.
	}
}

// Save implements autoimport.Store: the sync state is written only where
// token holds the lease.
func (s *Store) Save(ctx context.Context, ref autoimport.Ref, token string, sync autoimport.Sync, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	state, err := syncJSON(sync)
	if err != nil {
		return wrap(ctx, "save", err)
	}
	b := s.build(`UPDATE `, s.t.imports, ` SET sync_state = `).arg(state).sql(`, lease_expires = `).arg(expires.UnixMicro()).
		sql(` WHERE workspace = `).arg(ref.Workspace).sql(` AND id = `).arg(ref.ID).
		sql(` AND lease_token <> '' AND lease_token = `).arg(token)
	return s.casOr(ctx, "save", b, ref, autoimport.ErrLeaseLost)
}

// Release implements autoimport.Store: it writes and frees the lease only
// where token holds it.
func (s *Store) Release(ctx context.Context, ref autoimport.Ref, token string, end autoimport.RunEnd) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	state, err := syncJSON(end.Sync)
	if err != nil {
		return wrap(ctx, "release", err)
	}
	code, msg, at := attention(end.Attention)
	b := s.build(`UPDATE `, s.t.imports, ` SET sync_state = `).arg(state).sql(`, next_run = `).arg(micros(end.NextRun)).
		sql(`, attention_code = `).arg(code).sql(`, attention_message = `).arg(msg).sql(`, attention_at = `).arg(at).
		sql(`, lease_token = '', lease_expires = NULL WHERE workspace = `).arg(ref.Workspace).sql(` AND id = `).arg(ref.ID).
		sql(` AND lease_token <> '' AND lease_token = `).arg(token)
	return s.casOr(ctx, "release", b, ref, autoimport.ErrLeaseLost)
}

// PutRun implements autoimport.Store.
func (s *Store) PutRun(ctx context.Context, run *autoimport.RunRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rec, err := json.Marshal(run)
	if err != nil {
		return wrap(ctx, "put run", err)
	}
	// The WHERE clause also keeps SQLite's parser from reading ON CONFLICT
	// as part of the SELECT.
	b := s.build(`INSERT INTO `, s.t.runs, ` (workspace, import_id, id, started, finished, error_code, record) SELECT `).
		arg(run.Workspace).sql(", ").arg(run.Import).sql(", ").arg(run.ID).sql(", ").arg(micros(run.Started)).sql(", ").
		arg(micros(run.Finished)).sql(", ").arg(run.ErrorCode).sql(", ").arg(string(rec)).
		sql(` WHERE EXISTS (SELECT 1 FROM `, s.t.imports, ` WHERE workspace = `).arg(run.Workspace).sql(` AND id = `).arg(run.Import).
		sql(`) ON CONFLICT (workspace, import_id, id) DO UPDATE SET started = excluded.started, finished = excluded.finished,
	error_code = excluded.error_code, record = excluded.record`)
	res, err := b.exec(ctx, s.db)
	if err != nil {
		return wrap(ctx, "put run", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(ctx, "put run", err)
	} else if n == 0 {
		return autoimport.ErrNotFound
	}
	return nil
}

// Runs implements autoimport.Store.
func (s *Store) Runs(ctx context.Context, ref autoimport.Ref, limit int) ([]*autoimport.RunRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := s.build(`SELECT record FROM `, s.t.runs, ` WHERE workspace = `).arg(ref.Workspace).sql(` AND import_id = `).arg(ref.ID).
		sql(` ORDER BY started DESC, seq DESC LIMIT `).arg(limit)
	rows, err := b.query(ctx, s.db)
	if err != nil {
		return nil, wrap(ctx, "runs", err)
	}
	defer rows.Close()
	var out []*autoimport.RunRecord
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, wrap(ctx, "runs", err)
		}
		var r autoimport.RunRecord
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, errors.New("sqlstate: a stored run record of " + ref.String() + " is not valid JSON")
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "runs", err)
	}
	return out, nil
}

// FieldTags implements autoimport.Store.
func (s *Store) FieldTags(ctx context.Context, workspace, service string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := s.build(`SELECT name, tag FROM `, s.t.tags, ` WHERE workspace = `).arg(workspace).sql(` AND service = `).arg(service)
	rows, err := b.query(ctx, s.db)
	if err != nil {
		return nil, wrap(ctx, "field tags", err)
	}
	defer rows.Close()
	out := make(map[string]string)
	for rows.Next() {
		var name, tag string
		if err := rows.Scan(&name, &tag); err != nil {
			return nil, wrap(ctx, "field tags", err)
		}
		out[name] = tag
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "field tags", err)
	}
	return out, nil
}

// ClaimTag implements autoimport.Store: one INSERT that the table's two
// unique constraints (one tag per name, one name per tag) make atomic.
func (s *Store) ClaimTag(ctx context.Context, workspace, service, name, tag string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	res, err := s.build(`INSERT INTO `, s.t.tags, ` (workspace, service, name, tag) VALUES (`).arg(workspace).sql(", ").
		arg(service).sql(", ").arg(name).sql(", ").arg(tag).sql(`) ON CONFLICT DO NOTHING`).exec(ctx, s.db)
	if err != nil {
		return "", wrap(ctx, "claim tag", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", wrap(ctx, "claim tag", err)
	} else if n > 0 {
		return tag, nil
	}
	var have string
	err = s.build(`SELECT tag FROM `, s.t.tags, ` WHERE workspace = `).arg(workspace).sql(` AND service = `).arg(service).
		sql(` AND name = `).arg(name).row(ctx, s.db).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		return "", autoimport.ErrTagTaken
	}
	if err != nil {
		return "", wrap(ctx, "claim tag", err)
	}
	return have, nil
}
