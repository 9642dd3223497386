package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
)

// testDelete checks importer.Deleter (skipped when the store lacks it): the
// contacts go with their fields and tags, their keys are free again,
// unknown IDs are ignored, a repeated Delete is harmless, and ClearStatus
// unsets a status.
func testDelete(t *testing.T, s importer.Store, o *Options) {
	d, ok := s.(importer.Deleter)
	if !ok {
		t.Skip("the store does not implement importer.Deleter")
	}
	ids := create(t, s,
		importer.Contact{Email: "gone@example.com", Phone: "+14155550101", Fields: map[string]string{"city": "Basel"}, Tags: tags(o, "vip")},
		importer.Contact{Email: "kept@example.com", Fields: map[string]string{"city": "Bern"}, Status: importer.StatusSubscribed},
	)
	require.NoError(t, d.Delete(ctx(t), []string{ids[0], "999999999", "not-an-id"}))
	require.NoError(t, d.Delete(ctx(t), []string{ids[0]}), "a repeated Delete is harmless")
	n, err := s.Count(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"gone@example.com"})
	require.NoError(t, err)
	assert.Empty(t, got, "the deleted contact is gone")
	got, err = s.Lookup(ctx(t), importer.KeyPhone, []string{"+14155550101"})
	require.NoError(t, err)
	assert.Empty(t, got)
	again := create(t, s, importer.Contact{Email: "gone@example.com"})
	assert.Empty(t, lookupOne(t, s, importer.KeyEmail, "gone@example.com").Fields, "a new contact with the key has none of the old fields")
	assert.Empty(t, lookupOne(t, s, importer.KeyEmail, "gone@example.com").Tags)
	assert.NotEqual(t, ids[0], again[0])
	kept := lookupOne(t, s, importer.KeyEmail, "kept@example.com")
	assert.Equal(t, "Bern", kept.Fields["city"], "other contacts are untouched")

	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[1], Clear: []string{importer.ClearStatus}}}))
	assert.Empty(t, lookupOne(t, s, importer.KeyEmail, "kept@example.com").Status, "ClearStatus unsets the status")
}
