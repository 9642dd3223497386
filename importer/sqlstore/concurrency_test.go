package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
)

// TestMigrateKeepsExistingDuplicates: a database written before the unique
// keys, holding contacts that share an address or an external ID (as
// overlapping imports left them), migrates: all but the oldest of each key
// are marked duplicate, nothing is lost, and from then on the keys are
// unique.
func TestMigrateKeepsExistingDuplicates(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := storeAtVersion(t, b.name, sqlstore.Config{}, 2)
			for _, row := range [][2]string{
				{"a@example.com", ""}, {"A@example.com", ""}, {"a@example.com", "x-1"},
				{"b@example.com", "x-1"}, {"c@example.com", "x-2"},
			} {
				_, err := s.DB().ExecContext(ctx, rebind(s, `INSERT INTO `+sqlstore.ContactsTable(s)+` (email, email_key, external_id) VALUES (?, ?, ?)`),
					row[0], importer.EmailKey(row[0]), row[1])
				require.NoError(t, err)
			}
			require.NoError(t, s.Migrate(ctx))

			got, err := s.Lookup(ctx, importer.KeyEmail, []string{"a@example.com", "b@example.com", "c@example.com"})
			require.NoError(t, err)
			require.Len(t, got, 5, "no contact is lost")
			dup := map[string]bool{}
			for _, c := range got {
				dup[c.ID] = c.Duplicate
			}
			assert.Equal(t, map[string]bool{"1": false, "2": true, "3": true, "4": false, "5": false}, dup,
				"the oldest of each address stays; b keeps x-1, since the older contact with it is a duplicate of a")

			_, err = s.Create(ctx, []importer.Contact{{Email: "a@example.com"}})
			assert.ErrorIs(t, err, importer.ErrConflict, "from now on the address is unique")
			_, err = s.Create(ctx, []importer.Contact{{Email: "d@example.com", ExternalID: "x-1"}})
			assert.ErrorIs(t, err, importer.ErrConflict, "and the external ID")
		})
	}
}

// rebind turns ? placeholders into $n for PostgreSQL.
func rebind(s *sqlstore.Store, q string) string {
	if s.Dialect() != sqlstore.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestTwoConnectionsImportIntoOneSQLiteFile: two imports of overlapping
// files at once into one SQLite file, each through its own *sql.DB (as two
// csvimport processes): both finish, and each address is stored once.
func TestTwoConnectionsImportIntoOneSQLiteFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "shared.db")
	const n = 3000
	files := make([]string, 2)
	for f := range files {
		var b strings.Builder
		b.WriteString("email,city\n")
		// The first file has addresses 0…n-1, the second n/2…3n/2-1.
		for i := f * n / 2; i < f*n/2+n; i++ {
			fmt.Fprintf(&b, "user%05d@example.com,City %d-%d\n", i, f, i)
		}
		files[f] = b.String()
	}
	stores := make([]*sqlstore.Store, 2)
	for i := range stores {
		s, err := sqlstore.Open(ctx, path, sqlstore.Config{})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		require.NoError(t, s.Migrate(ctx), "Migrate from two connections")
		stores[i] = s
	}
	reps := make([]*importer.Report, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			reps[i], errs[i] = importer.Import(ctx, strings.NewReader(files[i]), stores[i], importer.Config{BatchSize: 200})
		}()
	}
	close(start)
	wg.Wait()
	for i := range errs {
		require.NoError(t, errs[i], "import %d", i+1)
	}
	const distinct = n + n/2
	count, err := stores[0].Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, distinct, count, "each address once")
	assert.Equal(t, distinct, reps[0].Created+reps[1].Created, "the Created counts add up to the contacts stored")
	assert.Equal(t, n/2, reps[0].Updated+reps[1].Updated, "each shared address is created by one import and updated by the other")
	var shared int
	require.NoError(t, stores[1].DB().QueryRowContext(ctx,
		`SELECT count(DISTINCT email_key) FROM `+sqlstore.ContactsTable(stores[1])).Scan(&shared))
	assert.Equal(t, distinct, shared)
}

// TestMigrateMovesFieldsAndTagsIntoContacts: a database written before
// schema version 5, with field and tag rows, migrates: each contact keeps
// its fields and its tags in their order, the old tables are gone, and
// updates and creates work on the new columns.
func TestMigrateMovesFieldsAndTagsIntoContacts(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := storeAtVersion(t, b.name, sqlstore.Config{TablePrefix: "ck_"}, 4)
			exec := func(q string, args ...any) {
				t.Helper()
				_, err := s.DB().ExecContext(ctx, rebind(s, q), args...)
				require.NoError(t, err)
			}
			c, f, tg := sqlstore.ContactsTable(s), sqlstore.OldFieldsTable(s), sqlstore.OldTagsTable(s)
			exec(`INSERT INTO `+c+` (email, email_key) VALUES (?, ?)`, "a@example.com", "a@example.com")
			exec(`INSERT INTO `+c+` (email, email_key) VALUES (?, ?)`, "b@example.com", "b@example.com")
			exec(`INSERT INTO `+f+` (contact_id, key, value) VALUES (1, 'city', ?), (1, 'first_name', ?)`, "Zürich", `Ann "Q" <x>`)
			// Tags stored in an order other than their names'.
			exec(`INSERT INTO ` + tg + ` (contact_id, tag) VALUES (1, 'vip'), (1, 'alpha'), (2, 'z')`)
			require.NoError(t, s.Migrate(ctx))
			require.NoError(t, s.Migrate(ctx), "again: nothing to do")

			got, err := s.Lookup(ctx, importer.KeyEmail, []string{"a@example.com", "b@example.com"})
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, map[string]string{"city": "Zürich", "first_name": `Ann "Q" <x>`}, got[0].Fields)
			assert.Equal(t, []string{"vip", "alpha"}, got[0].Tags, "tags keep their order")
			assert.Nil(t, got[1].Fields)
			assert.Equal(t, []string{"z"}, got[1].Tags)

			_, err = s.DB().ExecContext(ctx, `SELECT count(*) FROM `+f)
			assert.Error(t, err, "contact_fields is dropped")
			_, err = s.DB().ExecContext(ctx, `SELECT count(*) FROM `+tg)
			assert.Error(t, err, "contact_tags is dropped")

			require.NoError(t, s.Update(ctx, []importer.Update{{ID: got[0].ID, Set: map[string]string{"city": "Bern"}, Clear: []string{"first_name"}, AddTags: []string{"alpha", "new"}}}))
			got, err = s.Lookup(ctx, importer.KeyEmail, []string{"a@example.com"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, map[string]string{"city": "Bern"}, got[0].Fields)
			assert.Equal(t, []string{"vip", "alpha", "new"}, got[0].Tags)
		})
	}
}

// storeAtVersion is a new store of backend name (SQLite in memory or in a
// file with cfg, or PostgreSQL in a schema of the test's) migrated only up
// to schema version v, as a database written by an older release.
func storeAtVersion(t *testing.T, name string, cfg sqlstore.Config, v int) *sqlstore.Store {
	t.Helper()
	ctx := t.Context()
	var s *sqlstore.Store
	var err error
	switch name {
	case "postgres":
		db := postgresDB(t)
		s, err = sqlstore.New(db, sqlstore.Config{Schema: sqltest.Schema(t, db, "ck_test_")})
		require.NoError(t, err)
	default:
		path := ":memory:"
		if name == "sqlite-file" {
			path = filepath.Join(t.TempDir(), "old.db")
		}
		s, err = sqlstore.Open(ctx, path, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
	}
	require.NoError(t, sqlstore.MigrateToForTest(ctx, s, v))
	return s
}
