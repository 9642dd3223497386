package sqlstate

// ImportsTable returns the quoted, qualified name of s's imports table, for
// tests that look at what is stored.
func ImportsTable(s *Store) string { return s.t.imports }
