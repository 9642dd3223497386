package accounts_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/accounts"
)

func TestUpdateApply(t *testing.T) {
	t.Parallel()
	a := accounts.Account{ID: "a1", Name: "Acme", Domain: "acme.com", Fields: map[string]string{"industry": "Tools", "city": "Oslo"}}
	empty := ""
	accounts.Update{ID: "a1", Set: map[string]string{"industry": "Robots", "size": "5"}, Clear: []string{"city", "size"}, Domain: &empty}.Apply(&a)
	assert.Equal(t, map[string]string{"industry": "Robots", "size": "5"}, a.Fields, "Clear first, then Set: a key in both is set")
	assert.Empty(t, a.Domain)
	assert.Equal(t, "Acme", a.Name)

	var b accounts.Account
	accounts.Update{}.Apply(&b)
	assert.Nil(t, b.Fields, "an empty update makes no Fields map")
}
