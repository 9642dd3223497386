// Package sqlstate is the database/sql implementation of autoimport's
// state Store, on SQLite (one machine) and PostgreSQL (several machines),
// with a FieldCatalog (Fields) and a Presence in the same database. It
// passes autoimport/statetest (RunStore, RunFields, RunPresence) on both.
//
// # Use
//
// The package registers no database driver: the host opens its database
// with one (pgx's stdlib for PostgreSQL, modernc.org/sqlite for SQLite),
// creates the tables once with Migrate, and gives the Store to the Runner:
//
//	db, err := sql.Open("pgx", "postgres://app@db:5432/crm")
//	state, err := sqlstate.New(db, sqlstate.Config{Schema: "contactkit"})
//	if err := state.Migrate(ctx); err != nil { … }
//	runner, err := autoimport.NewRunner(autoimport.Config{
//		State:    state,
//		Fields:   state.Fields(nil, nil), // or the host's own catalogue
//		Presence: state.Presence(),       // optional
//		Sealer:   sealer,                 // the host's KMS-backed Sealer
//		…
//	})
//
// Migrate is explicit and idempotent (see its doc for the tables); it keeps
// its own migrations table, so the state can share a database and a schema
// with importer/sqlstore's contact tables. Config.TablePrefix and (on
// PostgreSQL) Config.Schema place the tables beside the host's own. For
// SQLite open the database with a busy timeout (importer/sqlstore's
// SQLiteDSN gives suitable pragmas) and, for ":memory:", one connection.
//
// # Leases and tenancy
//
// Every statement names the workspace: a lookup, an edit, a lease or a run
// record of another workspace's import finds no row and is ErrNotFound.
// Only Due, the scheduler's query, spans workspaces.
//
// Leases are enforced by the database, never by a lock held in a process:
// Acquire is one compare-and-set UPDATE … WHERE the lease is free, expired
// at the caller's now, or the caller's own; Save and Release are UPDATEs
// WHERE the caller's token still holds the lease. Of any number of
// processes racing for one import, exactly one changes the row (PostgreSQL
// makes the second UPDATE wait for the first and re-check the row it
// wrote; SQLite runs writes one at a time), and a run whose expired lease
// was taken over can write nothing more. Expiry is compared with the
// Runner's clock (the now passed in), so the machines' clocks must agree to
// well within the Runner's LeaseTTL.
//
// # Credentials
//
// The credentials column holds what the Runner gives the Store: the bytes
// its Config.Sealer sealed (AES-GCM bound to the workspace with
// autoimport.NewAESSealer, or the host's KMS). The Runner refuses
// credentials without a Sealer, so plaintext reaches the database only when
// the host opts out with autoimport.PlaintextSealer. The Store never logs
// nor puts credentials in an error.
//
// # Storage
//
// Definitions, schedule, attention and lease are columns; the sync state,
// the filters and each run record are JSON; times are microseconds since
// the Unix epoch in BIGINT columns (exact, and compared in SQL the same way
// on both databases), NULL for the zero time; credentials are BYTEA/BLOB.
//
// # Errors
//
// The sentinels of the autoimport.Store contract, unwrapped:
// autoimport.ErrNotFound, ErrExists, ErrConflict, ErrLeaseLost, ErrTagTaken
// and *autoimport.LeaseError (matching ErrLeased). A context that is done
// gives an error matching ctx.Err(). Other failures start with "sqlstate: "
// and keep the driver's error in their chain (errors.As finds
// *pgconn.PgError or *sqlite.Error). New reports an unusable Config with
// ErrConfig.
package sqlstate
