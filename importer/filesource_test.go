package importer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
)

func ExampleFileSource() {
	src, err := importer.FileSource("/uploads/2026-12/contacts.csv", strings.NewReader("email\nann@example.com\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(src.FileName, src.Size, src.SHA256[:16])
	// Output: contacts.csv 22 89e1153b227e2a02
}

// TestFileSourceTellsFilesApart: the checksum resuming relies on differs
// for files that differ in one byte, and is the same for the same bytes.
func TestFileSourceTellsFilesApart(t *testing.T) {
	t.Parallel()
	a, err := importer.FileSource("a.csv", strings.NewReader("email\nann@example.com\n"))
	require.NoError(t, err)
	b, err := importer.FileSource("dir/a.csv", strings.NewReader("email\nann@example.com\n"))
	require.NoError(t, err)
	c, err := importer.FileSource("a.csv", strings.NewReader("email\nann@example.con\n"))
	require.NoError(t, err)
	assert.Equal(t, a, b, "same bytes, same name without the directory")
	assert.NotEqual(t, a.SHA256, c.SHA256)
	assert.Len(t, a.SHA256, 64)
}
