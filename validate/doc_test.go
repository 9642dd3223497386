package validate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCodeIsDocumented keeps doc.go's Errors section, the one place
// that lists the codes, complete.
func TestEveryCodeIsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	n := 0
	for _, name := range []string{"errors.go", "api.go", "rule.go", "choice.go"} {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(node ast.Node) bool {
			vs, ok := node.(*ast.ValueSpec)
			if !ok || vs.Type == nil || len(vs.Values) != 1 {
				return true
			}
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				return true
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			require.True(t, ok)
			code, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			n++
			assert.True(t, strings.Contains(string(doc), "//\t"+code+" "), "code %q is not in doc.go's Errors section", code)
			return true
		})
	}
	assert.Greater(t, n, 25)
}
