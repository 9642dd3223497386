package importer

import (
	"context"
	"iter"
)

// ContactLister is an optional ability of a Store: listing every stored
// contact, so that a host (or a tool such as csvimport's -export) can read
// the whole store back, and a test can compare two stores whole.
//
// ListContacts yields every contact in creation order, each with its
// fields and tags, as Lookup would return it. It must not hold the whole
// store in memory: a store reads it in pages, holding no lock or
// connection between them. Contacts created or changed while the sequence
// runs may or may not be seen; none is seen twice. An error (a cancelled
// context, a store failure) is yielded once, last. The caller may stop
// early. memstore.Store and sqlstore.Store implement it; the storetest
// suite checks it when a store does.
type ContactLister interface {
	ListContacts(ctx context.Context) iter.Seq2[Contact, error]
}
