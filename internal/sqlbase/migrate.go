package sqlbase

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
)

// Step is one step of a schema, recorded by Version once applied. T is
// what the store's statements are written from (its table names).
type Step[T any] struct {
	Version int
	Name    string
	// Stmts returns the statements of the step for the store's tables and
	// dialect; it is called only when the step has not been applied.
	Stmts func(t T, d Dialect) []string
}

// Migration says where a store records its steps and what they are.
type Migration[T any] struct {
	Dialect Dialect
	Names   Names
	// Table is the quoted, qualified name of the table that records the
	// applied steps (version, name, applied_at).
	Table string
	// LockKey names the PostgreSQL advisory transaction lock that makes
	// concurrent migrations wait for each other.
	LockKey string
	Tables  T // passed to each step's Stmts
	Steps   []Step[T]
}

// AdvisoryXactLock takes, in tx, the PostgreSQL advisory transaction lock
// named by key (its 64-bit FNV-1a hash), waiting for a holder to finish.
func AdvisoryXactLock(ctx context.Context, tx *sql.Tx, key string) error {
	h := fnv.New64a()
	h.Write([]byte(key))
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64()))
	return err
}

// Migrate applies in tx the steps of m not yet recorded in m.Table: on
// PostgreSQL it first takes the advisory lock and creates m.Names.Schema
// when missing; it creates m.Table when missing, then runs each missing
// step's statements and records the step.
func Migrate[T any](ctx context.Context, tx *sql.Tx, m Migration[T]) error {
	if m.Dialect == Postgres {
		if err := AdvisoryXactLock(ctx, tx, m.LockKey); err != nil {
			return err
		}
		if m.Names.Schema != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, m.Names.Schema).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if _, err := tx.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+m.Names.QuotedSchema()); err != nil {
					return err
				}
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+m.Table+` (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM `+m.Table)
	if err != nil {
		return err
	}
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, st := range m.Steps {
		if applied[st.Version] {
			continue
		}
		for _, stmt := range st.Stmts(m.Tables, m.Dialect) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("step %d (%s): %w", st.Version, st.Name, err)
			}
		}
		b := NewBuilder(m.Dialect, `INSERT INTO `, m.Table, ` (version, name) VALUES (`).Arg(st.Version).SQL(`, `).Arg(st.Name).SQL(`)`)
		if _, err := b.Exec(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}
