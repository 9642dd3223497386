package csvreader

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportsStayOnTheFloor keeps the reader standing alone, like
// encoding/csv: its code imports the standard library, golang.org/x/text and
// package validate (for Code) only, never the import pipeline, mapping or
// accounts, nor gocsv.
func TestImportsStayOnTheFloor(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var checked int
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			stdlib := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			allowed := stdlib || strings.HasPrefix(path, "golang.org/x/text/") ||
				path == "github.com/contactkit/contactkit/validate"
			assert.True(t, allowed, "%s imports %s", name, path)
		}
		checked++
	}
	assert.Positive(t, checked)
}
