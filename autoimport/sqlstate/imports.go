package sqlstate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/internal/sqlbase"
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
VALUES (`).Arg(imp.Workspace).SQL(", ").Arg(imp.ID).SQL(", ").Arg(imp.Name).SQL(", ").Arg(imp.Service).SQL(", ").
		Arg(imp.Account).SQL(", ").Arg(filters).SQL(", ").Arg(int64(imp.Interval)).SQL(", ").Arg(imp.Paused).SQL(", ").
		Arg(credentials(imp.Credentials)).SQL(", 1, ").Arg(micros(imp.Created)).SQL(", ").Arg(micros(imp.Updated)).SQL(", ").
		Arg(micros(imp.NextRun)).SQL(", ").Arg(code).SQL(", ").Arg(msg).SQL(", ").Arg(at).SQL(`, '')
ON CONFLICT (workspace, id) DO NOTHING`)
	res, err := b.Exec(ctx, s.db)
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
	b := s.build(`SELECT `, importCols, ` FROM `, s.t.imports, ` WHERE workspace = `).Arg(ref.Workspace).
		SQL(` AND id = `).Arg(ref.ID)
	imp, err := scanImport(b.Row(ctx, s.db))
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
	b := s.build(`SELECT `, importCols, ` FROM `, s.t.imports, ` WHERE workspace = `).Arg(workspace).SQL(` ORDER BY id`)
	rows, err := b.Query(ctx, s.db)
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
	err := s.build(`SELECT 1 FROM `, s.t.imports, ` WHERE workspace = `).Arg(ref.Workspace).SQL(` AND id = `).Arg(ref.ID).
		Row(ctx, q).Scan(&one)
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
	b := s.build(`UPDATE `, s.t.imports, ` SET name = `).Arg(imp.Name).SQL(`, service = `).Arg(imp.Service).
		SQL(`, account = `).Arg(imp.Account).SQL(`, filters = `).Arg(filters).SQL(`, interval_ns = `).Arg(int64(imp.Interval)).
		SQL(`, paused = `).Arg(imp.Paused).SQL(`, credentials = `).Arg(credentials(imp.Credentials)).
		SQL(`, updated_at = `).Arg(micros(imp.Updated)).SQL(`, next_run = `).Arg(micros(imp.NextRun)).
		SQL(`, attention_code = `).Arg(code).SQL(`, attention_message = `).Arg(msg).SQL(`, attention_at = `).Arg(at).
		SQL(`, revision = revision + 1 WHERE workspace = `).Arg(imp.Workspace).SQL(` AND id = `).Arg(imp.ID).
		SQL(` AND revision = `).Arg(imp.Revision)
	return s.casOr(ctx, "update", b, imp.Ref(), autoimport.ErrConflict)
}

// casOr runs a compare-and-set statement; when it changes no row it
// returns ErrNotFound if the import does not exist and otherwise lost.
func (s *Store) casOr(ctx context.Context, op string, b *sqlbase.Builder, ref autoimport.Ref, lost error) error {
	res, err := b.Exec(ctx, s.db)
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
		res, err := s.build(`DELETE FROM `, s.t.imports, ` WHERE workspace = `).Arg(ref.Workspace).
			SQL(` AND id = `).Arg(ref.ID).Exec(ctx, tx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return autoimport.ErrNotFound
		}
		_, err = s.build(`DELETE FROM `, s.t.runs, ` WHERE workspace = `).Arg(ref.Workspace).
			SQL(` AND import_id = `).Arg(ref.ID).Exec(ctx, tx)
		return err
	})
	return wrap(ctx, "delete", err)
}

// leaseFree is the condition, on a row, that the lease may be taken at now
// by token: free, expired (expiry not after now), or token's own.
func leaseFree(b *sqlbase.Builder, token string, now time.Time) *sqlbase.Builder {
	return b.SQL(`(lease_token = '' OR lease_expires IS NULL OR lease_expires <= `).Arg(now.UnixMicro()).
		SQL(` OR lease_token = `).Arg(token).SQL(`)`)
}

// Due implements autoimport.Store.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]autoimport.Ref, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := now.UnixMicro()
	b := s.build(`SELECT workspace, id FROM `, s.t.imports, ` WHERE paused = FALSE AND next_run IS NOT NULL AND next_run <= `).
		Arg(n).SQL(` AND (lease_token = '' OR lease_expires IS NULL OR lease_expires <= `).Arg(n).
		SQL(`) ORDER BY next_run, workspace, id LIMIT `).Arg(limit)
	rows, err := b.Query(ctx, s.db)
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
	return retryTransient(ctx, func() (*autoimport.Import, error) { return s.acquire(ctx, ref, token, now, expires) })
}

func (s *Store) acquire(ctx context.Context, ref autoimport.Ref, token string, now, expires time.Time) (*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		b := s.build(`UPDATE `, s.t.imports, ` SET lease_token = `).Arg(token).SQL(`, lease_expires = `).Arg(expires.UnixMicro()).
			SQL(` WHERE workspace = `).Arg(ref.Workspace).SQL(` AND id = `).Arg(ref.ID).SQL(` AND `)
		leaseFree(b, token, now).SQL(` RETURNING `, importCols)
		imp, err := scanImport(b.Row(ctx, s.db))
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
		err = s.build(`SELECT lease_token, lease_expires FROM `, s.t.imports, ` WHERE workspace = `).Arg(ref.Workspace).
			SQL(` AND id = `).Arg(ref.ID).Row(ctx, s.db).Scan(&holder, &expiry)
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
	_, err := retryTransient(ctx, func() (struct{}, error) { return struct{}{}, s.save(ctx, ref, token, sync, expires) })
	return err
}

func (s *Store) save(ctx context.Context, ref autoimport.Ref, token string, sync autoimport.Sync, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	state, err := syncJSON(sync)
	if err != nil {
		return wrap(ctx, "save", err)
	}
	b := s.build(`UPDATE `, s.t.imports, ` SET sync_state = `).Arg(state).SQL(`, lease_expires = `).Arg(expires.UnixMicro()).
		SQL(` WHERE workspace = `).Arg(ref.Workspace).SQL(` AND id = `).Arg(ref.ID).
		SQL(` AND lease_token <> '' AND lease_token = `).Arg(token)
	return s.casOr(ctx, "save", b, ref, autoimport.ErrLeaseLost)
}

// Release implements autoimport.Store: it writes and frees the lease only
// where token holds it.
func (s *Store) Release(ctx context.Context, ref autoimport.Ref, token string, end autoimport.RunEnd) error {
	_, err := retryTransient(ctx, func() (struct{}, error) { return struct{}{}, s.release(ctx, ref, token, end) })
	return err
}

func (s *Store) release(ctx context.Context, ref autoimport.Ref, token string, end autoimport.RunEnd) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	state, err := syncJSON(end.Sync)
	if err != nil {
		return wrap(ctx, "release", err)
	}
	code, msg, at := attention(end.Attention)
	b := s.build(`UPDATE `, s.t.imports, ` SET sync_state = `).Arg(state).SQL(`, next_run = `).Arg(micros(end.NextRun)).
		SQL(`, attention_code = `).Arg(code).SQL(`, attention_message = `).Arg(msg).SQL(`, attention_at = `).Arg(at).
		SQL(`, lease_token = '', lease_expires = NULL WHERE workspace = `).Arg(ref.Workspace).SQL(` AND id = `).Arg(ref.ID).
		SQL(` AND lease_token <> '' AND lease_token = `).Arg(token)
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
		Arg(run.Workspace).SQL(", ").Arg(run.Import).SQL(", ").Arg(run.ID).SQL(", ").Arg(micros(run.Started)).SQL(", ").
		Arg(micros(run.Finished)).SQL(", ").Arg(run.ErrorCode).SQL(", ").Arg(string(rec)).
		SQL(` WHERE EXISTS (SELECT 1 FROM `, s.t.imports, ` WHERE workspace = `).Arg(run.Workspace).SQL(` AND id = `).Arg(run.Import).
		SQL(`) ON CONFLICT (workspace, import_id, id) DO UPDATE SET started = excluded.started, finished = excluded.finished,
	error_code = excluded.error_code, record = excluded.record`)
	res, err := b.Exec(ctx, s.db)
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
	b := s.build(`SELECT record FROM `, s.t.runs, ` WHERE workspace = `).Arg(ref.Workspace).SQL(` AND import_id = `).Arg(ref.ID).
		SQL(` ORDER BY started DESC, seq DESC LIMIT `).Arg(limit)
	rows, err := b.Query(ctx, s.db)
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
	b := s.build(`SELECT name, tag FROM `, s.t.tags, ` WHERE workspace = `).Arg(workspace).SQL(` AND service = `).Arg(service)
	rows, err := b.Query(ctx, s.db)
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
	res, err := s.build(`INSERT INTO `, s.t.tags, ` (workspace, service, name, tag) VALUES (`).Arg(workspace).SQL(", ").
		Arg(service).SQL(", ").Arg(name).SQL(", ").Arg(tag).SQL(`) ON CONFLICT DO NOTHING`).Exec(ctx, s.db)
	if err != nil {
		return "", wrap(ctx, "claim tag", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", wrap(ctx, "claim tag", err)
	} else if n > 0 {
		return tag, nil
	}
	var have string
	err = s.build(`SELECT tag FROM `, s.t.tags, ` WHERE workspace = `).Arg(workspace).SQL(` AND service = `).Arg(service).
		SQL(` AND name = `).Arg(name).Row(ctx, s.db).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		return "", autoimport.ErrTagTaken
	}
	if err != nil {
		return "", wrap(ctx, "claim tag", err)
	}
	return have, nil
}
