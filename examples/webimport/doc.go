// Command webimport serves the import screen of package
// github.com/contactkit/contactkit/webimport on a loopback address, with the
// SQLite store (or the in-memory one): a small main over the package, as a
// CRM would mount it.
//
// Usage:
//
//	go run ./examples/webimport [-addr 127.0.0.1:8080] [-db contacts.db|:memory:] [-max-upload MB] [-ttl 1h] [-region US] [-dir DIR] [-keep N] [-keep-days N]
//
// It prints the URL to open. main only parses flags, opens the store
// (creating and migrating the SQLite database), creates the handler with
// webimport.New and serves it with its HTTPServer (header, write and idle
// timeouts) until interrupted. -dir is the handler's work directory, by
// default contactkit-webimport in the temporary directory: what a crashed
// or killed run left there is cleaned up at start, and its imports cut short
// are shown as such (and marked cancelled in the import history). Every
// import is recorded in the import history of -db (importer/sqlstore's
// History, its own tables in the same database; the in-memory History for
// :memory:), which the screen's History page (/history) lists, with each
// import's lists and its undo; the OS user running the command is recorded
// as who started it. -keep and -keep-days prune the history after each
// import (webimport.Config.Retention). It warns when it
// listens on an address that is not loopback: the screen has no login.
//
// TestBrowser drives the screen in headless Chromium with chromedp (the
// reason it lives here and not beside the package: the core module does not
// require a browser driver).
//
// # Errors
//
// The command exits with status 1 and a line on standard error starting
// with "webimport: " when a flag is wrong, the database cannot be opened or
// the address cannot be listened on. Everything the screen shows is
// described in the package's documentation.
package main
