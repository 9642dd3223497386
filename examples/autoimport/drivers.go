package main

// The SQL stores register no database driver (database/sql's way): the
// program picks its own. This one speaks to SQLite through the pure-Go
// modernc.org/sqlite and to PostgreSQL through pgx's database/sql adapter.
import (
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)
