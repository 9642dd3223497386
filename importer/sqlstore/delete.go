package sqlstore

import (
	"context"
	"database/sql"

	"github.com/contactkit/contactkit/importer"
)

var _ importer.Deleter = (*Store)(nil)

// Delete implements importer.Deleter: the contacts with the given IDs (their
// fields and tags are columns of their rows) are deleted in one
// transaction; IDs the store does not hold (or did not issue) are ignored.
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
		return chunks(nums, s.listChunk(), func(part []int64) error {
			b := s.build().SQL(`DELETE FROM `, s.t.contacts, ` WHERE id`)
			_, err := in(s, b, part).Exec(ctx, tx)
			return err
		})
	})
	if err != nil {
		return s.wrap(ctx, "delete", err)
	}
	return nil
}
