package sqlstore

import (
	"context"
	"database/sql"

	"github.com/contactkit/contactkit/accounts"
)

var _ accounts.Deleter = (*Store)(nil)

// DeleteAccounts implements accounts.Deleter in one transaction: the
// accounts with the given IDs and their fields are deleted (the count is
// the rows deleted), except those a contact of this store links to
// (contacts.account_id), which are kept and returned in the order given. IDs the store does not hold (or did not
// issue) are ignored. The links are read in the transaction that deletes:
// on SQLite writes are serialized, so no contact can be linked in
// between; on PostgreSQL (read committed) a contact linked by a
// transaction that commits meanwhile may be left linked to a deleted
// account, which Lookup then returns with that AccountID.
func (s *Store) DeleteAccounts(ctx context.Context, ids []string) (int, []string, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, s.wrap(ctx, "delete accounts", err)
	}
	var (
		strs []string
		nums []int64
	)
	for _, id := range ids {
		if n, ok := parseID(id); ok {
			strs, nums = append(strs, id), append(nums, n)
		}
	}
	if len(nums) == 0 {
		return 0, nil, nil
	}
	var (
		kept    []string
		deleted int
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		linked := map[string]bool{}
		err := chunks(strs, s.listChunk(), func(part []string) error {
			b := s.build().SQL(`SELECT DISTINCT account_id FROM `, s.t.contacts, ` WHERE account_id`)
			return in(s, b, part).Each(ctx, tx, func(rows *sql.Rows) error {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				linked[id] = true
				return nil
			})
		})
		if err != nil {
			return err
		}
		kept, deleted = kept[:0], 0
		var gone []int64
		for i, id := range strs {
			if linked[id] {
				kept = append(kept, id)
			} else {
				gone = append(gone, nums[i])
			}
		}
		return chunks(gone, s.listChunk(), func(part []int64) error {
			b := s.build().SQL(`DELETE FROM `, s.t.accountFields, ` WHERE account_id`)
			if _, err := in(s, b, part).Exec(ctx, tx); err != nil {
				return err
			}
			b = s.build().SQL(`DELETE FROM `, s.t.accounts, ` WHERE id`)
			res, err := in(s, b, part).Exec(ctx, tx)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			deleted += int(n)
			return err
		})
	})
	if err != nil {
		return 0, nil, s.wrap(ctx, "delete accounts", err)
	}
	if len(kept) == 0 {
		kept = nil
	}
	return deleted, kept, nil
}
