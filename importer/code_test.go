package importer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/validate"
)

// One problem vocabulary: importer.Code is validate.Code, so the codes of
// values, accounts, the reader and the pipeline count in one map and
// compare without conversions.
func TestOneCodeType(t *testing.T) {
	t.Parallel()
	rep := imp(t, memstore.New(), "email,company\nbad,\nann@example.com,\nann@example.com,\n",
		importer.Config{Accounts: &accounts.Resolver{Store: memstore.NewAccounts()}})
	byCode := map[validate.Code]int{}
	for _, p := range append(rep.Errors, rep.Warnings...) {
		byCode[p.Code]++
	}
	assert.Equal(t, 1, byCode[validate.CodeEmailInvalid])
	assert.Equal(t, 1, byCode[importer.CodeDuplicateInFile])
	assert.Equal(t, 1, rep.ErrorsByCode[validate.CodeEmailInvalid].Count)
	assert.Equal(t, validate.CodeRequired, importer.CodeRequired)
	var c importer.Code = accounts.CodeNotFound // no conversion
	assert.Equal(t, "account.not_found", string(c))
}
