// Package sqlstore is the database/sql reference implementation of
// importer.Store (and importer.BatchWriter) and of accounts.Store (with
// accounts.KeyFinder, DomainFinder, Lister and Updater), on SQLite, the
// embedded default, and on PostgreSQL. One Store is both: contacts link to
// accounts by account ID. It passes importer/storetest and
// accounts/accountstest on both databases.
//
// # Use
//
// Open a database, create the tables once with Migrate, and give the Store
// to the importer:
//
//	store, err := sqlstore.Open(ctx, "contacts.db", sqlstore.Config{})
//	// or sqlstore.Open(ctx, "postgres://app@db:5432/crm", sqlstore.Config{Schema: "contactkit"})
//	if err != nil { … }
//	defer store.Close()
//	if err := store.Migrate(ctx); err != nil { … }
//	// store is an importer.Store and an accounts.Store: pass it to the
//	// import and to the account resolver.
//
// A host that already has a *sql.DB uses New(db, cfg) instead; the Store
// then never closes it. SQLite goes through modernc.org/sqlite (pure Go, no
// C toolchain) and PostgreSQL through pgx's database/sql driver; New also
// accepts other drivers of the two databases. Open's SQLite connections use
// the pragmas of SQLiteDSN: a busy timeout, WAL, and write transactions that
// take the write lock when they begin, so that one *sql.DB can be used from
// many goroutines; an in-memory database (":memory:") is kept on a single
// connection.
//
// Migrate is explicit and idempotent: it records the steps it applied in a
// schema_migrations table and applies only the missing ones, in one
// transaction. Config.TablePrefix and (on PostgreSQL) Config.Schema place the
// tables beside the host's own.
//
// # Statements
//
// Every call costs a fixed number of set-based statements per chunk of a
// few thousand parameters, never one per contact: lookups use IN lists,
// creates one multi-row INSERT … RETURNING id, updates one SELECT of the
// contacts' fields and tags (FOR UPDATE on PostgreSQL) and one
// UPDATE … FROM (VALUES …). A contact's custom fields and tags are columns
// of its row (a JSON object and a JSON array keeping the tags' order; JSONB
// on PostgreSQL), so a contact is one row written, with no foreign key to
// check. Updates of one contact within a call are merged first, in order,
// so the result is that of applying them one by one. Each write call (Create,
// Update, WriteBatch, CreateAccounts, UpdateAccounts) is one transaction;
// each lookup reads one snapshot. IDs are decimal strings of an ascending
// integer key, so creation order is ID order. Account names are unique
// (a UNIQUE constraint, byte for byte); their accounts.NormalizeName keys
// and lower-cased domains are indexed columns.
//
// On SQLite the multi-row inserts of a write are prepared once per
// transaction, use INSERT OR IGNORE and run with foreign keys checked at
// commit (PRAGMA defer_foreign_keys), so that no insert can abort half-way
// and SQLite keeps no statement journal for it. On PostgreSQL inserts and
// lookups are one statement over arrays per batch (unnest, = ANY), and the
// Store runs ANALYZE on its tables as an import fills them (after 1,000
// contacts, then each time twice as many), so that the planner never scans
// a whole table for a batch's keys because it has no statistics yet.
//
// # Concurrent imports
//
// Imports may run at once from any number of goroutines, processes or
// machines: the e-mail key and the external ID are unique among contacts
// not marked duplicate (partial unique indexes; contacts an
// importer.CreateDuplicate import creates beside a stored one are marked
// and exempt; the contacts marked duplicate have an index of their own),
// creates are INSERT … ON CONFLICT DO NOTHING (OR IGNORE on SQLite), and a write
// meeting a taken key stores nothing and returns an *importer.ConflictError
// naming the keys, on which the importer matches the rows again and
// updates. Migrating a database written before (schema version 3) keeps
// contacts that already share a key and marks all but the oldest of each
// duplicate. On SQLite the write transactions of one Store take turns in
// the process (no goroutine spends the busy timeout waiting for another);
// other processes' writers wait up to the busy timeout, and SQLITE_BUSY
// after it is transient, retried by the importer.
//
// # Errors
//
// Errors start with "sqlstore: " and keep the driver's error in their chain
// (errors.As finds *pgconn.PgError or *sqlite.Error). Besides the sentinels
// of the importer.Store contract (importer.ErrNotFound for an update of an
// unknown ID, which fails the whole call and writes nothing, and
// importer.ErrUnsupportedKey, *importer.ConflictError for a taken unique
// key) and of the accounts.Store contract (an
// *accounts.Error matching accounts.ErrEmptyName or accounts.ErrNotFound,
// with nothing written), failures worth retrying wrap
// importer.ErrTransient: SQLITE_BUSY and SQLITE_LOCKED, PostgreSQL
// serialization failures, deadlocks, lock timeouts, shutdowns and
// connection errors, lost connections. A call whose context ends returns an
// error wrapping ctx.Err(), never ErrTransient. New and Open report an
// unusable Config with ErrConfig.
//
// PostgreSQL text cannot hold NUL bytes or invalid UTF-8; package validate
// rejects both before a value reaches a store, but a host writing such a
// value directly gets the driver's error (not transient) and nothing of the
// call is written.
package sqlstore
