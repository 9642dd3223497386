// Package sqltest holds the database harness of the SQL stores' tests: the
// PostgreSQL test server (CONTACTKIT_POSTGRES_URL, skipped when absent
// unless CONTACTKIT_REQUIRE_POSTGRES=1), a schema of each test's own, and
// SQLite databases with the stores' pragmas. It registers no driver: the
// test packages import pgx's stdlib ("pgx") and modernc.org/sqlite
// ("sqlite").
//
// # Errors
//
// Failures to reach PostgreSQL skip the test (fail it under
// CONTACTKIT_REQUIRE_POSTGRES=1); other failures fail the test.
package sqltest
