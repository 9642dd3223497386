package sqlstate

// ImportsTable returns the quoted, qualified name of s's imports table, for
// tests that look at what is stored.
func ImportsTable(s *Store) string { return s.t.imports }

// RunsTable returns the quoted, qualified name of s's run records table.
func RunsTable(s *Store) string { return s.t.runs }
