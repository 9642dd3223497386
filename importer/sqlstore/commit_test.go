package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/internal/sqlbase"
)

// plainCommitDriver is modernc.org/sqlite with transactions that are only
// the statements BEGIN, COMMIT and ROLLBACK, as other SQLite drivers have
// them: a COMMIT that fails leaves the transaction open on the connection
// (modernc.org/sqlite itself rolls back then, since v1.4x).
type plainCommitDriver struct{ driver.Driver }

type plainCommitConn struct{ driver.Conn }

type plainTx struct{ c driver.Conn }

func (d plainCommitDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return plainCommitConn{c}, nil
}

func (c plainCommitConn) exec(q string) error {
	_, err := c.Conn.(driver.ExecerContext).ExecContext(context.Background(), q, nil)
	return err
}

func (c plainCommitConn) Begin() (driver.Tx, error) {
	return plainTx{c}, c.exec("BEGIN")
}

func (c plainCommitConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c plainCommitConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (t plainTx) Commit() error   { return t.c.(plainCommitConn).exec("COMMIT") }
func (t plainTx) Rollback() error { return t.c.(plainCommitConn).exec("ROLLBACK") }

var registerPlainCommit sync.Once

// TestFailedCommitLeavesNoOpenTransaction: SQLite checks deferred foreign
// keys at COMMIT and, when the check fails, keeps the transaction open. The
// connection must not go back to the pool that way: the next transaction
// on it begins, and what the failed one wrote is never committed.
func TestFailedCommitLeavesNoOpenTransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	registerPlainCommit.Do(func() {
		probe, err := sql.Open("sqlite", ":memory:")
		require.NoError(t, err)
		sql.Register("sqlite-plain-commit", plainCommitDriver{probe.Driver()})
		probe.Close()
	})
	db, err := sql.Open("sqlite-plain-commit", sqlbase.SQLiteDSN(filepath.Join(t.TempDir(), "fk.db")))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // the next transaction gets the same connection
	_, err = db.ExecContext(ctx, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))`)
	require.NoError(t, err)

	err = sqlbase.InTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO child (id, parent_id) VALUES (1, 42)`)
		return err
	})
	require.Error(t, err, "the COMMIT fails on the deferred foreign key")

	err = sqlbase.InTx(ctx, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO parent (id) VALUES (7)`)
		return err
	})
	require.NoError(t, err, "the next transaction on the connection begins and commits")
	var children, parents int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM child`).Scan(&children))
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM parent`).Scan(&parents))
	assert.Zero(t, children, "the failed transaction's row is gone")
	assert.Equal(t, 1, parents)
}
