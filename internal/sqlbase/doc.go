// Package sqlbase holds what the module's database/sql stores
// (importer/sqlstore and autoimport/sqlstate) share: the SQL dialect and its
// detection from a driver, quoted table names behind a prefix and a
// PostgreSQL schema, configuration checks, a versioned migration runner, a
// transaction helper, a statement builder with the dialect's placeholders,
// and the classification of transient database errors.
//
// It imports only the standard library and registers no driver. It is
// internal: each store keeps its own exported types (Dialect, Config) and
// error sentinels and converts at the boundary.
//
// # Errors
//
// CheckConfig returns errors that start with the caller's package name and
// wrap the caller's configuration sentinel. Migrate and InTx return the
// database's errors unwrapped (with the failing step named for a migration
// step); Wrap turns them into the caller's errors.
package sqlbase
