package memstore

import (
	"context"
	"fmt"

	"github.com/contactkit/contactkit/importer"
)

var _ importer.ContactGetter = (*Store)(nil)

// GetContacts implements importer.ContactGetter: copies of the contacts
// with the given IDs, in the order given; unknown IDs are left out.
func (s *Store) GetContacts(ctx context.Context, ids []string) ([]importer.Contact, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: get contacts: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []importer.Contact
	for _, id := range ids {
		if e, ok := s.contacts[id]; ok {
			out = append(out, clone(e.c))
		}
	}
	return out, nil
}
