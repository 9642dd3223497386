// Package autoimport imports contacts from external services (CRMs, shops,
// project tools) on a schedule, without anyone uploading a file, so that
// nothing is ever missed or duplicated. It is contactkit's Automatic
// Import: it reads each service through a Connector and writes through the
// same pipeline as a CSV import (package importer), with no manual mapping
// and side effects (autoresponders, webhooks, notifications) suppressed.
//
// # Pieces
//
// The host provides, each a small interface with a reference
// implementation and a conformance suite:
//
//   - a Connector per service (autoimport/connectortest: suite, fake
//     paginated service, reference HTTP connector);
//   - a state Store for import definitions, sync state, leases, run
//     records and the field registry (autoimport/memstate,
//     autoimport/statetest);
//   - a FieldCatalog: the workspace's schema and its custom fields with
//     their personalization tags (memstate.Fields, statetest.RunFields);
//   - a Sealer that encrypts stored credentials (NewAESSealer;
//     PlaintextSealer is the explicit opt-out);
//   - optionally Presence, to mark contacts a service no longer returns
//     (memstate.Presence, statetest.RunPresence);
//   - the workspace's importer.Store, where contacts go.
//
// A Runner ties them together: Create, Update, SetCredentials, Delete, Get,
// List and Runs manage imports; Due lists what should run; Run runs an
// import if it is due and RunNow runs it anyway. A Scheduler runs due
// imports in-process with bounded concurrency; a job queue can instead call
// Due from a periodic job and Run from one job per import.
//
// # Tenancy
//
// Every import, its state, lease and run records belong to a workspace
// (Definition.Workspace); every lookup takes a Ref (workspace and ID), so
// one workspace can neither read, run, edit nor delete another's import.
// Contacts go to the workspace's own contact store, custom fields to its
// own catalogue, and sealed credentials are bound to their workspace.
//
// # How a run works
//
// Run takes the import's lease (a token with an expiry, extended as the run
// goes on) so that a second run of the import, in this process or any
// other sharing the Store, gets a *LeaseError. It then fetches pages from
// the resume token of the sync in progress, or starts a sync:
//
//   - the first sync of an import sends no "updated since" at all, so
//     records without update times are not lost;
//   - later syncs of services with Info.UpdatedSince ask from the committed
//     watermark minus the service's look-back (DefaultLookBack, 5 minutes,
//     unless Info.LookBack or Config.LookBack says otherwise), inclusive
//     (>=), so records that become visible late are not lost; records at
//     the boundary that were already imported are skipped by ID;
//   - services with it are still fetched in full now and then (a
//     reconciliation, Config.Reconcile: weekly by default, negative for
//     never), for anything a watermark missed and for deletions;
//   - services without it are fetched in full (weekly by default);
//     contacts a complete full fetch no longer returns are marked through
//     Presence, never deleted nor unsubscribed.
//
// A service whose cursor is "updated since the last time seen" cannot page
// past more records of one update time than a page holds. When a page
// brings nothing new and the same cursor, the Runner asks again with a
// wider page (up to Info.PageLimit), then goes on with a keyset cursor if
// the connector offers one (KeysetCursorer), and otherwise stops: the
// import needs attention (AttentionNoProgress, with the reason).
//
// Each page goes through importer.ImportFrom: its columns are the records'
// field names, standard names (Info.Fields) mapped to the schema's roles,
// every other name to a custom field created on first sight with a
// personalization tag derived from it (Tag: "Company Affiliations" gives
// COMPANY_AFFILIATIONS; colliding names get _2, _3; an existing field with
// the tag is reused; a name's tag never changes), and an external ID column
// (ExternalIDFunc) that identifies the contact on the next sync. Contacts
// are matched by external ID, then e-mail (DefaultExternalID escapes its
// parts, so two imports' IDs never meet); outcomes are those of a CSV
// import: a record without a valid e-mail is failed, counted by reason; the contact limit and unsubscribed
// contacts are respected by the importer. Only after the page is committed
// is the resume token (cursor and high-water mark) checkpointed, and only
// when the last page is committed does the high-water mark become the
// watermark. A run stops after Config.PageBudget pages; the next run
// resumes. A crash at any point loses nothing (the page is fetched again
// from the last checkpoint) and duplicates nothing (a page imported twice
// matches its contacts by external ID).
//
// The watermark comes from the service's update times, never the local
// clock. For services whose pages are not in update order it is capped at
// the service's clock when the sync started (Page.ServerTime).
//
// Every run leaves a RunRecord: when, pages, records, created, updated,
// unchanged, skipped and failed with their reasons, custom fields created,
// contacts marked gone, the watermark before and after, and the error.
// With Config.History, a run that imports records is also ONE import of
// kind importer.ImportKindAuto in the import history the CSV imports use:
// one journal entry per record, lines numbered through the run's pages,
// the run's counts, finished done, failed or cancelled with the run. The
// pages of a run need not share their fields, so a failed or skipped
// record's cells are journaled with their names
// (importer.NamedCellsOption): the run's failed and skipped lists
// (importer.WriteImportList) give every record's values under its own
// field names, whichever page it came on.
//
// # Credentials
//
// Credentials are a Secret, redacted in String, GoString, every fmt verb,
// JSON, text marshalling and log/slog, and unreachable by reflection. The
// Runner seals them with the Config.Sealer before they reach the Store and
// opens them only to call the connector. A connector's error may still
// quote them (a service that echoes the API key in its error body): the
// Runner scrubs every error, log line, attention message and run record of
// the import's credentials, as they are and base64-, URL- and
// hex-encoded (Scrub), before anything stores, logs or returns them.
//
// # Errors
//
// State errors, checked with errors.Is: ErrNotFound (no such import in the
// workspace), ErrExists, ErrConflict (a concurrent edit), ErrLeased (with
// *LeaseError carrying when the lease expires), ErrLeaseLost (a run's lease
// was taken over after it expired: the run stops without writing),
// ErrTagTaken. Definition errors: ErrInvalid, ErrUnknownService,
// ErrUnsupportedFilter, ErrNoSealer. Run outcomes: ErrNotDue (Run of an
// import that is not due: nothing done); *RetryLaterError (the service
// rate-limited beyond RetryConfig.MaxRetryAfter: its At is when to come
// back, and the import's NextRun); errors matching both ErrNeedsAttention
// and ErrInvalidCredentials (the import waits for new credentials), or
// ErrRefused (the service refused the request: an unknown account, a bad
// parameter), or ErrNoProgress (pages that make no progress);
// importer.ErrTransient (the service kept failing beyond the retries;
// ErrTransient is its older name);
// ErrSealed; the context's error; and the errors of the stores and of
// importer.ImportFrom, wrapped. RunRecord.ErrorCode gives the same as a
// stable string. Connectors return *RateLimitError, importer.ErrTransient,
// ErrInvalidCredentials and ErrRefused. Bad records are never errors: they are counted in
// the RunRecord. All messages start with "autoimport: " and never contain
// credentials.
package autoimport
