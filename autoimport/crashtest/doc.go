// Package crashtest holds no code: its tests check that an automatic import
// survives being killed. An autoimport.Runner in a child process (the test
// binary, re-executed) imports from the fake service of
// autoimport/connectortest into SQLite files (autoimport/sqlstate for the
// state, importer/sqlstore for the contacts) and is killed with SIGKILL at
// random moments, round after round, while the service's records change;
// then it runs to the end. The contacts must be those of a clean run: each
// record's contact exactly once, with its latest values, none lost.
//
// The tests live in their own package so that no other test binary links
// SQLite and child processes. They skip where SIGKILL does not exist, and
// run smaller with -short and under the race detector.
//
// # Errors
//
// There is no API, so no errors; failures are reported through testing.T.
package crashtest
