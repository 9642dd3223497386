package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/contactkit/contactkit/importer"
)

// wrap turns a failure of operation op into the error a Store returns: it
// starts with "sqlstore: op", keeps err in the chain, adds ctx.Err() when the
// context ended (drivers report cancellation in their own words), and
// importer.ErrTransient when retrying may help.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlstore: %s: %w (%w)", op, cerr, err)
	}
	if isTransient(err) {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, importer.ErrTransient, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// Transient PostgreSQL SQLSTATEs: serialization failure, deadlock, lock not
// available, server shutting down or starting, too many connections.
var transientStates = map[string]bool{
	"40001": true, "40P01": true, "55P03": true,
	"57P01": true, "57P02": true, "57P03": true, "53300": true,
}

// SQLite primary result codes worth retrying: SQLITE_BUSY, SQLITE_LOCKED.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, importer.ErrTransient) {
		return true
	}
	// PostgreSQL (pgconn.PgError, and any error exposing a SQLSTATE).
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		code := st.SQLState()
		return transientStates[code] || strings.HasPrefix(code, "08")
	}
	// SQLite (modernc.org/sqlite's *Error; extended codes keep the primary
	// code in the low byte).
	var sc interface{ Code() int }
	if errors.As(err, &sc) {
		c := sc.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	// Lost or refused connections.
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}
