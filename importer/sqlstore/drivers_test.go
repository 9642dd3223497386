package sqlstore_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer/sqlstore"

	// The library registers no driver; its tests use both, as a host would
	// use one.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// TestOpenWithoutDriver: a program that imports sqlstore but no driver
// gets an error naming the import to add, not database/sql's bare
// "unknown driver".
func TestOpenWithoutDriver(t *testing.T) {
	restore := sqlstore.SetDriverNamesForTest(sqlstore.SQLite, "no-such-driver")
	defer restore()
	_, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"), sqlstore.Config{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, sqlstore.ErrNoDriver), "%v", err)
	assert.True(t, errors.Is(err, sqlstore.ErrConfig), "%v", err)
	assert.Contains(t, err.Error(), `_ "modernc.org/sqlite"`)

	restore()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"), sqlstore.Config{})
	require.NoError(t, err, "with modernc.org/sqlite registered")
	require.NoError(t, st.Close())
}
