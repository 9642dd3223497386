package sqlstore

import (
	"context"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/internal/sqlbase"
)

// wrap turns a failure of operation op into the error a Store returns: it
// starts with "sqlstore: op", keeps err in the chain, adds ctx.Err() when the
// context ended (drivers report cancellation in their own words), and
// importer.ErrTransient when retrying may help (see sqlbase.IsTransient).
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	return sqlbase.Wrap(ctx, "sqlstore", op, err, importer.ErrTransient)
}
