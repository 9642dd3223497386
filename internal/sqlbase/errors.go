package sqlbase

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// Wrap turns a failure of operation op into a store's error: it starts
// with "pkg: op", keeps err in the chain, adds ctx.Err() when the context
// ended (drivers report cancellation in their own words), and, when
// transient is not nil, wraps transient too where IsTransient(err,
// transient) holds.
func Wrap(ctx context.Context, pkg, op string, err, transient error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %s: %w (%w)", pkg, op, cerr, err)
	}
	if transient != nil && IsTransient(err, transient) {
		return fmt.Errorf("%s: %s: %w: %w", pkg, op, transient, err)
	}
	return fmt.Errorf("%s: %s: %w", pkg, op, err)
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

// IsTransient reports whether retrying may help with err: never for a
// cancelled context; yes for an error wrapping one of also, a transient
// PostgreSQL SQLSTATE (any class 08 connection exception), SQLITE_BUSY or
// SQLITE_LOCKED, and lost, refused or timed-out connections.
func IsTransient(err error, also ...error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	for _, a := range also {
		if errors.Is(err, a) {
			return true
		}
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

// SQLite extended result codes of a unique constraint violation.
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
)

// IsUniqueViolation reports whether err is a unique constraint violation:
// PostgreSQL SQLSTATE 23505, SQLITE_CONSTRAINT_UNIQUE or
// SQLITE_CONSTRAINT_PRIMARYKEY.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		return st.SQLState() == "23505"
	}
	var sc interface{ Code() int }
	if errors.As(err, &sc) {
		c := sc.Code()
		return c == sqliteConstraintUnique || c == sqliteConstraintPrimaryKey
	}
	return false
}
