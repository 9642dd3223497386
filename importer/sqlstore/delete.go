package sqlstore

import (
	"context"
	"database/sql"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/internal/sqlbase"
)

var _ importer.Deleter = (*Store)(nil)

// Delete implements importer.Deleter: the contacts with the given IDs, their
// fields and their tags are deleted in one transaction; IDs the store does
// not hold (or did not issue) are ignored.
func (s *Store) Delete(ctx context.Context, ids []string) error {
	if err := ctx.Err(); err != nil {
		return s.wrap(ctx, "delete", err)
	}
	var nums []int64
	for _, id := range ids {
		if n, ok := parseID(id); ok {
			nums = append(nums, n)
		}
	}
	if len(nums) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return chunks(nums, s.maxParams(), func(part []int64) error {
			for _, q := range []struct{ table, col string }{
				{s.t.fields, "contact_id"}, {s.t.tags, "contact_id"}, {s.t.contacts, "id"},
			} {
				b := s.build().SQL(`DELETE FROM `, q.table, ` WHERE `, q.col, ` IN `)
				sqlbase.List(b, part)
				if _, err := b.Exec(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return s.wrap(ctx, "delete", err)
	}
	return nil
}
