// Package connectortest helps write and test autoimport connectors. It
// has three parts:
//
//   - Service, a fake paginated contact API on an httptest server
//     (loopback only): accounts with bearer tokens, updated-since
//     filtering, page limits, keyset or "since" cursors, ascending or ID
//     order, filters, and faults a test queues (429 with Retry-After,
//     5xx, slow pages), with a hook to change records between pages. The
//     library's own tests and the examples run against it.
//
//   - HTTPConnector, the reference HTTP connector for that service: read it
//     as the example of how to write a connector for a real service.
//
//   - Run, the conformance suite every connector runs from its own tests
//     with a Harness that gives it an empty account to write to.
//
// A connector opts in with:
//
//	func TestConformance(t *testing.T) {
//		connectortest.Run(t, func(t *testing.T) *connectortest.Fixture { … })
//	}
//
// # Errors
//
// HTTPConnector.Fetch returns the errors autoimport.Connector documents:
// *autoimport.RateLimitError for 429, errors matching
// importer.ErrTransient for 5xx and network failures,
// autoimport.ErrInvalidCredentials for 401 and 403,
// autoimport.ErrUnsupportedFilter for filters the service refuses, the
// context's error when it is cancelled, and other errors (starting with
// "connectortest: ") for anything else. No error carries the credentials.
// Run reports failures through testing.T.
package connectortest
