package sqlstore

import (
	"context"
	"database/sql"

	"github.com/contactkit/contactkit/importer"
)

var _ importer.ContactGetter = (*Store)(nil)

// GetContacts implements importer.ContactGetter, so that importer.Undo
// reads the contacts of one journal page at a time: the contacts with the
// given IDs, with their fields and tags, in creation order, read in one
// read-only transaction; IDs the store does not hold (or did not issue)
// are left out.
func (s *Store) GetContacts(ctx context.Context, ids []string) ([]importer.Contact, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.wrap(ctx, "get contacts", err)
	}
	seen := make(map[int64]bool, len(ids))
	var nums []int64
	for _, id := range ids {
		if n, ok := parseID(id); ok && !seen[n] {
			seen[n] = true
			nums = append(nums, n)
		}
	}
	if len(nums) == 0 {
		return nil, nil
	}
	var out []importer.Contact
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		err := chunks(nums, s.listChunk(), func(part []int64) error {
			b := s.build().SQL(`SELECT `, contactColumns, ` FROM `, s.t.contacts, ` WHERE id`)
			return in(s, b, part).Each(ctx, tx, func(rows *sql.Rows) error {
				c, err := scanContact(rows)
				out = append(out, c)
				return err
			})
		})
		sortByID(out)
		return err
	})
	if err != nil {
		return nil, s.wrap(ctx, "get contacts", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
