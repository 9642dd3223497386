package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/validate"
)

// Free tags are text: a control character or invalid UTF-8 in one is an
// error, not a stored value (found by FuzzImport: a NUL became a tag).
func TestFreeTagsAreCleanText(t *testing.T) {
	t.Parallel()
	r, err := validate.New(validate.MultiSelect, validate.Rules{AnyValue: true})
	require.NoError(t, err)
	for _, raw := range []string{"vip|\x00", "a\tb", "caf\xe9", "x|a\u0085b"} {
		_, err := r.Check(raw)
		assert.Equal(t, validate.CodeMultiSelectInvalid, validate.CodeOf(err), "%q", raw)
	}
	res, err := r.Check(" vip | Café ")
	require.NoError(t, err)
	assert.Equal(t, []string{"vip", "Café"}, res.Values)
}
