package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/storetest"
	"github.com/contactkit/contactkit/internal/sqlbase"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
)

// crmStore is the importer.Store a CRM writes over its own tables, as a new
// user would: one row per person with a UNIQUE (tenant_id, lower(email))
// index, custom fields in a JSON column, a bigint foreign key to its
// accounts, no external IDs and no tags. It proves that storetest fits such
// a schema (storetest.Options) and that the conflict contract is easy to
// keep with INSERT … ON CONFLICT DO NOTHING.
type crmStore struct {
	db     *sql.DB
	tenant int64
}

const crmSchema = `
CREATE TABLE accounts (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE people (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	email TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	account_id INTEGER REFERENCES accounts (id),
	attrs TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX people_email ON people (tenant_id, lower(email));
CREATE INDEX people_phone ON people (tenant_id, phone);`

func newCRMStore(t *testing.T) importer.Store {
	db := sqltest.OpenSQLite(t, ":memory:")
	_, err := db.ExecContext(t.Context(), crmSchema)
	require.NoError(t, err)
	return &crmStore{db: db, tenant: 7}
}

// crmAccounts creates real account rows for the suite's contacts.
func crmAccounts(t *testing.T, s importer.Store, n int) []string {
	st := s.(*crmStore)
	ids := make([]string, n)
	for i := range ids {
		var id int64
		require.NoError(t, st.db.QueryRowContext(t.Context(), `INSERT INTO accounts (tenant_id, name) VALUES (?, ?) RETURNING id`,
			st.tenant, fmt.Sprintf("Account %d", i)).Scan(&id))
		ids[i] = strconv.FormatInt(id, 10)
	}
	return ids
}

func TestStoretestFitsACRMSchema(t *testing.T) {
	storetest.RunOptions(t, newCRMStore, storetest.Options{
		NoDuplicates: true,
		NoExternalID: true,
		NoTags:       true,
		AccountIDs:   crmAccounts,
	})
}

func (s *crmStore) Lookup(ctx context.Context, kind importer.KeyKind, values []string) ([]importer.Contact, error) {
	var where string
	switch kind {
	case importer.KeyEmail:
		where = "lower(email)"
	case importer.KeyPhone:
		where = "phone"
	default:
		return nil, fmt.Errorf("crm: lookup by %s: %w", kind, importer.ErrUnsupportedKey)
	}
	var vs []any
	for _, v := range values {
		if v != "" {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil, ctx.Err()
	}
	q := `SELECT id, email, phone, status, coalesce(account_id, ''), attrs FROM people WHERE tenant_id = ? AND ` + where +
		` IN (?` + strings.Repeat(", ?", len(vs)-1) + `) ORDER BY id`
	rows, err := s.db.QueryContext(ctx, q, append([]any{s.tenant}, vs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []importer.Contact
	for rows.Next() {
		var (
			c     importer.Contact
			attrs string
		)
		if err := rows.Scan(&c.ID, &c.Email, &c.Phone, &c.Status, &c.AccountID, &attrs); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(attrs), &c.Fields); err != nil {
			return nil, err
		}
		if len(c.Fields) == 0 {
			c.Fields = nil
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *crmStore) Create(ctx context.Context, cs []importer.Contact) ([]string, error) {
	return s.WriteBatch(ctx, cs, nil)
}

func (s *crmStore) Update(ctx context.Context, us []importer.Update) error {
	_, err := s.WriteBatch(ctx, nil, us)
	return err
}

func (s *crmStore) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE tenant_id = ?`, s.tenant).Scan(&n)
	return n, err
}

func accountArg(id string) any {
	if id == "" {
		return nil
	}
	return id
}

func (s *crmStore) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	var ids []string
	err := sqlbase.InTx(ctx, s.db, func(tx *sql.Tx) error {
		for _, u := range us {
			if err := s.update(ctx, tx, u); err != nil {
				return err
			}
		}
		ce := &importer.ConflictError{}
		for _, c := range cs {
			attrs, err := json.Marshal(c.Fields)
			if err != nil {
				return err
			}
			var id int64
			err = tx.QueryRowContext(ctx, `INSERT INTO people (tenant_id, email, phone, status, account_id, attrs) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING RETURNING id`, s.tenant, c.Email, c.Phone, string(c.Status), accountArg(c.AccountID), string(attrs)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				ce.Keys = append(ce.Keys, importer.Key{Kind: importer.KeyEmail, Value: importer.EmailKey(c.Email)})
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		if len(ce.Keys) > 0 {
			return ce
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("crm: write: %w", err)
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

func (s *crmStore) update(ctx context.Context, tx *sql.Tx, u importer.Update) error {
	var (
		c     importer.Contact
		attrs string
	)
	err := tx.QueryRowContext(ctx, `SELECT email, phone, status, coalesce(account_id, ''), attrs FROM people WHERE tenant_id = ? AND id = ?`,
		s.tenant, u.ID).Scan(&c.Email, &c.Phone, &c.Status, &c.AccountID, &attrs)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("contact %q: %w", u.ID, importer.ErrNotFound)
	}
	if err != nil {
		return err
	}
	var fields map[string]string
	if err := json.Unmarshal([]byte(attrs), &fields); err != nil {
		return err
	}
	if fields == nil {
		fields = map[string]string{}
	}
	if u.Email != "" {
		c.Email = u.Email
	}
	if u.Phone != "" {
		c.Phone = u.Phone
	}
	for k, v := range u.Set {
		fields[k] = v
	}
	for _, k := range u.Clear {
		switch k {
		case importer.ClearPhone:
			c.Phone = ""
		case importer.ClearAccount:
			c.AccountID = ""
		case importer.ClearExternalID:
		default:
			delete(fields, k)
		}
	}
	if u.Status != "" {
		c.Status = u.Status
	}
	if u.AccountID != "" {
		c.AccountID = u.AccountID
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE people SET email = ?, phone = ?, status = ?, account_id = ?, attrs = ? WHERE id = ?`,
		c.Email, c.Phone, string(c.Status), accountArg(c.AccountID), string(b), u.ID)
	if sqlbase.IsUniqueViolation(err) {
		return &importer.ConflictError{Keys: []importer.Key{{Kind: importer.KeyEmail, Value: importer.EmailKey(u.Email)}}, Err: err}
	}
	return err
}
