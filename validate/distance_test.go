package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/validate"
)

func TestDistance(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefghij", 10)
	tests := []struct {
		name  string
		a, b  string
		limit int
		want  int
	}{
		{"equal", "gmail.com", "gmail.com", 2, 0},
		{"swap counts once", "gmial.com", "gmail.com", 2, 1},
		{"substitution", "hotmial.com", "hotmail.com", 2, 1},
		{"insertion and deletion", "e-mail", "email", 2, 1},
		{"over the limit", "yahoo.com", "gmail.com", 2, 3},
		{"lengths too far apart", "a", "abcdef", 2, 3},
		{"runes, not bytes", "Straße", "Strasse", 2, 2},
		{"accents", "télephone", "téléphone", 1, 1},
		{"empty", "", "ab", 2, 2},
		{"longer than the stack buffers", long + "x", long + "y", 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, validate.Distance(tc.a, tc.b, tc.limit))
			assert.Equal(t, tc.want, validate.Distance(tc.b, tc.a, tc.limit), "symmetric")
		})
	}
}

func TestDistanceDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { validate.Distance("téléphone portable", "telefono portatil", 3) })
	assert.Zero(t, allocs)
}
