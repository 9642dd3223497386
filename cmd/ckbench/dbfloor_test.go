package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
)

// testPostgresURL returns the PostgreSQL server of the tests, the stores'
// test server (CONTACTKIT_POSTGRES_URL, else sqltest.DefaultPostgresURL).
// Without a server that answers the test skips, as the stores' tests do,
// but fails under CONTACTKIT_REQUIRE_POSTGRES=1 or CI=true, where the
// server is there.
func testPostgresURL(t *testing.T) string {
	t.Helper()
	url := sqltest.PostgresURL()
	db, err := sql.Open("pgx", url)
	if err == nil {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ckbench: no PostgreSQL at %s in CI: %v", redactURL(url), err)
		}
		sqltest.SkipWithoutPostgres(t, "ckbench", err)
	}
	return url
}

// emailKeys counts the distinct importer.EmailKey of the non-empty e-mails
// of file, and its rows without an e-mail: what the store stages write and
// skip.
func emailKeys(t *testing.T, file string) (distinct, empty int) {
	t.Helper()
	recs := readCSV(t, file)
	require.Equal(t, "Email", recs[0][0])
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		if r[0] == "" {
			empty++
			continue
		}
		seen[importer.EmailKey(r[0])] = true
	}
	return len(seen), empty
}

// TestDatabaseFloorStages runs the store and SQL stages through the whole
// command (each in a child process) on a small file, and checks what the
// store held afterwards, before the child removed it.
func TestDatabaseFloorStages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stages in child processes")
	}
	const rows = 200
	dir := t.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	gs, err := ensureFile(file, rows, 7, &bytes.Buffer{})
	require.NoError(t, err)
	distinct, empty := emailKeys(t, file)
	require.Greater(t, distinct, gs.UniqueEmails, "invalid e-mails are written by the store stages too")

	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			args := []string{"-rows", strconv.Itoa(rows), "-seed", "7", "-file", file, "-json", "-stages", db + "-sql," + db + "-store,dryrun"}
			sqliteFile := filepath.Join(dir, "floor.db")
			if db == "sqlite" {
				args = append(args, "-sqlite", sqliteFile)
			} else {
				args = append(args, "-postgres", testPostgresURL(t))
			}
			var out, errOut bytes.Buffer
			code := run(t.Context(), args, &out, &errOut)
			require.Equal(t, 0, code, "stderr: %s", errOut.String())
			var b benchmark
			require.NoError(t, json.Unmarshal(out.Bytes(), &b))
			require.Empty(t, b.Problems)
			require.Len(t, b.Stages, 3)
			assert.Equal(t, []string{stageDryRun, db + "-store", db + "-sql"}, []string{b.Stages[0].Stage, b.Stages[1].Stage, b.Stages[2].Stage}, "the usual order")

			store, sq := b.Stages[1], b.Stages[2]
			for _, s := range []*stageResult{store, sq} {
				assert.Equal(t, rows, s.Rows, s.Stage)
				assert.Positive(t, s.WallSeconds, s.Stage)
				assert.InDelta(t, float64(rows)/s.WallSeconds, s.RowsPerSec, 1, s.Stage)
				assert.Greater(t, s.PeakRSSBytes, int64(1<<20), s.Stage)
				require.NotNil(t, s.Store, s.Stage)
				assert.Nil(t, s.Import, s.Stage)
			}
			n := store.Store
			assert.False(t, n.SQL)
			assert.Equal(t, distinct, n.Contacts, "one contact per distinct e-mail key")
			assert.Equal(t, distinct, n.Stored, "what the store held after the stage")
			assert.Equal(t, empty, n.EmptyEmails)
			assert.Equal(t, rows-distinct-empty, n.RepeatedEmails)
			assert.Equal(t, defaultBatchSize, n.BatchSize)
			assert.Equal(t, 1, n.Batches, "200 rows: one batch of 500")

			n = sq.Store
			assert.True(t, n.SQL)
			assert.Equal(t, gs.UniqueEmails, n.Contacts, "as many contacts as distinct valid e-mails")
			assert.Equal(t, gs.UniqueEmails, n.Stored)
			assert.Less(t, sq.AllocsPerRow, 2.0, "the database makes the rows")

			if db == "sqlite" {
				_, err := os.Stat(sqliteFile)
				assert.True(t, os.IsNotExist(err), "the SQLite database is removed")
			}
		})
	}

	t.Run("the table", func(t *testing.T) {
		t.Setenv(postgresEnv, "") // no postgres stage
		var out, errOut bytes.Buffer
		code := run(t.Context(), []string{"-rows", strconv.Itoa(rows), "-seed", "7", "-file", file, "-stages", "sqlite-sql,sqlite-store",
			"-sqlite", filepath.Join(dir, "table.db"), "-batch", "64"}, &out, &errOut)
		require.Equal(t, 0, code, "stderr: %s", errOut.String())
		s := out.String()
		assert.Contains(t, s, "command: go run ./cmd/ckbench -rows 200 -seed 7 -batch 64 -sqlite "+filepath.Join(dir, "table.db")+" -stages sqlite-store,sqlite-sql")
		assert.Contains(t, s, "\nsqlite-store: "+stageDescriptions[stageSQLiteStore]+"\n")
		assert.Contains(t, s, "\nsqlite-store: "+thousands(distinct)+" contacts written ("+strconv.Itoa((distinct+63)/64)+" WriteBatch calls of up to 64); ")
		assert.Contains(t, s, "\nsqlite-sql:   "+thousands(gs.UniqueEmails)+" contacts written by one INSERT … SELECT in one transaction")
		assert.NotContains(t, s, "PROBLEM")
	})
}

// TestStoreFloorContacts runs the store and SQL stages' work in this
// process on stores the test opens, and reads back what they wrote.
func TestStoreFloorContacts(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	gs, err := ensureFile(file, 300, 11, &bytes.Buffer{})
	require.NoError(t, err)
	distinct, _ := emailKeys(t, file)
	f, err := os.Open(file)
	require.NoError(t, err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)

	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			sc := stageConfig{file: file, batch: 32}
			stage := stageSQLiteStore
			if db == "sqlite" {
				sc.sqlite = filepath.Join(t.TempDir(), "floor.db")
			} else {
				sc.postgres = testPostgresURL(t)
				stage = stagePostgresStore
			}
			ctx := t.Context()

			sdb, err := openStore(ctx, stage, sc)
			require.NoError(t, err)
			defer sdb.close()
			res, err := storeFloor(ctx, sc, sdb.st)
			require.NoError(t, err)
			assert.Equal(t, 300, res.Rows)
			assert.Equal(t, distinct, res.Store.Contacts)
			assert.Equal(t, (distinct+31)/32, res.Store.Batches, "-batch sets the contacts per WriteBatch")
			n, err := sdb.st.Count(ctx)
			require.NoError(t, err)
			assert.Equal(t, distinct, n)

			// The first row's contact, as the file has it.
			first := recs[1]
			cs, err := sdb.st.Lookup(ctx, importer.KeyEmail, []string{importer.EmailKey(first[0])})
			require.NoError(t, err)
			require.Len(t, cs, 1)
			c := cs[0]
			assert.Equal(t, first[0], c.Email)
			assert.Equal(t, first[3], c.Phone)
			want := map[string]string{}
			for i, v := range first {
				if v != "" && i != 0 && i != 3 {
					want[header[i]] = v
				}
			}
			assert.Equal(t, want, c.Fields, "the other non-empty columns by header name")
			assert.Empty(t, c.Status)
			assert.Empty(t, c.Tags)

			// The SQL stage on a fresh store.
			sdb2, err := openStore(ctx, stage, stageConfig{file: file, sqlite: sc.sqlite + "2", postgres: sc.postgres})
			require.NoError(t, err)
			closed := false
			defer func() {
				if !closed {
					sdb2.close()
				}
			}()
			res, err = sqlFloor(ctx, sc, sdb2)
			require.NoError(t, err)
			assert.Equal(t, gs.Rows, res.Rows)
			assert.Equal(t, gs.UniqueEmails, res.Store.Contacts)
			var total, keys, accounts, subscribed int
			require.NoError(t, sdb2.st.DB().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT email_key), count(DISTINCT account_id),
	sum(CASE WHEN status = 'subscribed' THEN 1 ELSE 0 END) FROM `+sdb2.contacts+` WHERE email = email_key`).Scan(&total, &keys, &accounts, &subscribed))
			assert.Equal(t, gs.UniqueEmails, total, "e-mail and its key alike")
			assert.Equal(t, gs.UniqueEmails, keys, "distinct e-mails")
			assert.Greater(t, accounts, gs.UniqueEmails*9/10, "few contacts share one of 19,000 accounts")
			assert.Positive(t, subscribed)
			// The store reads the rows back as contacts.
			var email string
			require.NoError(t, sdb2.st.DB().QueryRowContext(ctx, `SELECT email FROM `+sdb2.contacts+` ORDER BY id LIMIT 1`).Scan(&email))
			cs, err = sdb2.st.Lookup(ctx, importer.KeyEmail, []string{email})
			require.NoError(t, err)
			require.Len(t, cs, 1)
			c = cs[0]
			assert.Equal(t, email, c.Email)
			assert.Equal(t, []string{"city", "country", "first_name", "last_name"}, slices.Sorted(maps.Keys(c.Fields)))
			assert.Equal(t, "US", c.Fields["country"])
			assert.NotEmpty(t, c.Phone)
			assert.NotEmpty(t, c.AccountID)

			closed = true
			sdb2.close()
			if db == "sqlite" {
				_, err := os.Stat(sc.sqlite + "2")
				assert.True(t, os.IsNotExist(err), "the file is removed")
			} else {
				pg, err := sql.Open("pgx", sc.postgres)
				require.NoError(t, err)
				defer pg.Close()
				var left sql.NullString
				require.NoError(t, pg.QueryRowContext(ctx, `SELECT to_regclass($1)::text`, sdb2.contacts).Scan(&left))
				assert.False(t, left.Valid, "the schema is dropped")
			}
		})
	}
}
