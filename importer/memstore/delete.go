package memstore

import (
	"context"
	"fmt"

	"github.com/contactkit/contactkit/importer"
)

var _ importer.Deleter = (*Store)(nil)

// Delete implements importer.Deleter: the contacts with the given IDs go,
// their fields and tags with them, all at once; unknown IDs are ignored.
func (s *Store) Delete(ctx context.Context, ids []string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if e, ok := s.contacts[id]; ok {
			s.indexRemove(&e.c)
			delete(s.contacts, id)
		}
	}
	return nil
}
