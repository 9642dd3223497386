package importer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

const accountsFile = `Account Name,Website,Industry,Employees
Acme Inc,https://www.acme.com/,Tools,120
Globex,globex.com,Energy,
Initech,,Software,55
`

const contactsWithAccounts = `Email,First Name,Company
ann@acme.com,Ann,Acme Inc
bob@globex.com,Bob,Globex
cy@initech.com,Cy,Initech
dee@umbrella.com,Dee,Umbrella Corp
eve@gmail.com,Eve,
`

func importAccounts(t *testing.T, st accounts.Store, file string, cfg importer.Config) *importer.Report {
	t.Helper()
	rep, err := importer.ImportAccounts(t.Context(), strings.NewReader(file), st, cfg)
	require.NoError(t, err)
	checkCounts(t, rep)
	return rep
}

func accountByName(t *testing.T, st *memstore.Accounts, name string) accounts.Account {
	t.Helper()
	m, err := st.FindAccountsByName(t.Context(), []string{name})
	require.NoError(t, err)
	a, ok := m[name]
	require.True(t, ok, "account %q", name)
	return a
}

// ActiveCampaign's flow: accounts first, then contacts with an Account column.
func TestAccountsThenContacts(t *testing.T) {
	t.Parallel()
	accts := memstore.NewAccounts()
	rep := importAccounts(t, accts, accountsFile, importer.Config{})
	assert.Equal(t, 3, rep.Created)
	assert.Equal(t, 3, rep.AccountsCreated)
	assert.Equal(t, "name", rep.Mapping["Account Name"])
	acme := accountByName(t, accts, "Acme Inc")
	assert.Equal(t, "acme.com", acme.Domain, "the website becomes the account's domain")
	assert.Equal(t, map[string]string{"industry": "Tools", "employees": "120"}, acme.Fields)

	contacts := memstore.New()
	rep = imp(t, contacts, contactsWithAccounts, importer.Config{Accounts: &accounts.Resolver{Store: accts}})
	assert.Equal(t, 5, rep.Created)
	assert.Equal(t, 4, rep.AccountsLinked)
	assert.Equal(t, 1, rep.AccountsCreated, "a missing account is created, as ActiveCampaign does")
	assert.Equal(t, 1, rep.AccountsLinkedNew)
	assert.Equal(t, acme.ID, byEmail(t, contacts, "ann@acme.com").AccountID)
	umbrella := accountByName(t, accts, "Umbrella Corp")
	assert.Equal(t, umbrella.ID, byEmail(t, contacts, "dee@umbrella.com").AccountID)
	assert.Empty(t, byEmail(t, contacts, "eve@gmail.com").AccountID)
	assert.Equal(t, 4, accts.Len())
}

func TestAccountImportNeverLinksAndUpdates(t *testing.T) {
	t.Parallel()
	accts := memstore.NewAccounts()
	importAccounts(t, accts, accountsFile, importer.Config{})
	rep := importAccounts(t, accts, "Account Name,Industry,Employees\nAcme Inc,Hardware,\nGlobex,Energy,\nNew Co,Retail,3\n", importer.Config{})
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, 1, rep.Unchanged)
	acme := accountByName(t, accts, "Acme Inc")
	assert.Equal(t, "Hardware", acme.Fields["industry"])
	assert.Equal(t, "120", acme.Fields["employees"], "an empty cell never erases")

	rep = importAccounts(t, accts, "Account Name,Industry\nAcme Inc,Robots\nOther Co,Retail\n", importer.Config{Mode: importer.ModeCreate})
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.SkippedBy[importer.CodeExists])
	assert.Equal(t, "Hardware", accountByName(t, accts, "Acme Inc").Fields["industry"])

	rep = importAccounts(t, accts, "Account Name,Industry\nAcme Inc,Robots\nGhost Co,Retail\n", importer.Config{Mode: importer.ModeUpdate, Merge: importer.MergeFillEmpty})
	assert.Equal(t, 0, rep.Created)
	assert.Equal(t, 1, rep.SkippedBy[importer.CodeNotFound])
	assert.Equal(t, 1, rep.Unchanged, "fill-empty keeps the stored industry")
	assert.Equal(t, 5, accts.Len())
}

func TestAccountImportDuplicatesAndNearDuplicates(t *testing.T) {
	t.Parallel()
	accts := memstore.NewAccounts()
	importAccounts(t, accts, "Account Name\nAcme Inc\n", importer.Config{})
	rep := importAccounts(t, accts, "Account Name,Industry\n\"ACME, Inc.\",Tools\nZeta,\nZeta,Retail\n", importer.Config{BatchSize: 1})
	assert.Equal(t, 2, rep.Created, "exact names: ACME, Inc. is a new account")
	assert.Equal(t, 1, rep.Updated, "the second Zeta row fills the first one's industry")
	assert.Equal(t, "Retail", accountByName(t, accts, "Zeta").Fields["industry"])
	p := findProblem(rep.Warnings, importer.Code(accounts.CodeNearDuplicate))
	require.NotNil(t, p, "the near-duplicate name is warned about")
	assert.Equal(t, 2, p.Line)
	assert.Equal(t, "Acme Inc", p.Suggestion)
	require.NotNil(t, findProblem(rep.Warnings, importer.CodeDuplicateInFile))
}

func TestAccountImportDryRun(t *testing.T) {
	t.Parallel()
	accts := memstore.NewAccounts()
	importAccounts(t, accts, "Account Name,Industry\nAcme Inc,Tools\n", importer.Config{})
	rep := importAccounts(t, accts, "Account Name,Industry\nAcme Inc,Robots\nNew Co,Retail\n", importer.Config{DryRun: true})
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, 1, accts.Len(), "nothing written")
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, "industry", rep.Changes[0].Field)
	assert.Equal(t, "Tools", rep.Changes[0].From)
	assert.Equal(t, "Robots", rep.Changes[0].To)
}

func TestAccountImportNeedsNames(t *testing.T) {
	t.Parallel()
	_, err := importer.ImportAccounts(t.Context(), strings.NewReader("Industry\nTools\n"), memstore.NewAccounts(), importer.Config{})
	assert.ErrorIs(t, err, importer.ErrMapping)
	rep := importAccounts(t, memstore.NewAccounts(), "Account Name,Industry\n,Tools\nAcme,x\n", importer.Config{})
	assert.Equal(t, 1, rep.Failed, "a row without a name is rejected")
	assert.Equal(t, 1, rep.Created)
}

func TestContactImportAccountPolicies(t *testing.T) {
	t.Parallel()
	file := "email,company\na@acme.com,Acme Inc\nb@acme.com,ACME inc.\nc@new.com,Newco\n"
	tests := []struct {
		name     string
		match    accounts.MatchMode
		missing  accounts.MissingPolicy
		linked   int
		created  int
		failed   int
		warnCode importer.Code
	}{
		{"create missing", accounts.MatchExact, accounts.CreateMissing, 3, 2, 0, importer.Code(accounts.CodeNearDuplicate)},
		{"link only", accounts.MatchExact, accounts.LinkOnly, 1, 0, 0, importer.Code(accounts.CodeNotFound)},
		{"fail row", accounts.MatchExact, accounts.FailRow, 1, 0, 2, ""},
		{"normalized names", accounts.MatchNormalized, accounts.CreateMissing, 3, 1, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			accts := memstore.NewAccounts()
			importAccounts(t, accts, "Account Name\nAcme Inc\n", importer.Config{})
			res := &accounts.Resolver{Store: accts, Match: tc.match, Missing: tc.missing}
			rep := imp(t, memstore.New(), file, importer.Config{Accounts: res})
			assert.Equal(t, tc.linked, rep.AccountsLinked)
			assert.Equal(t, tc.created, rep.AccountsCreated)
			assert.Equal(t, tc.failed, rep.Failed)
			if tc.warnCode != "" {
				assert.NotNil(t, findProblem(rep.Warnings, tc.warnCode), "warnings: %v", codes(rep.Warnings))
			}
		})
	}
}

func TestContactImportWithoutAccountColumnSaysSo(t *testing.T) {
	t.Parallel()
	rep := imp(t, memstore.New(), "email\na@example.com\n", importer.Config{Accounts: &accounts.Resolver{Store: memstore.NewAccounts()}})
	p := findProblem(rep.Warnings, importer.CodeAccountsNotLinked)
	require.NotNil(t, p)
	assert.Contains(t, p.Message, "will not be linked")
}

func TestUpdateOffLeavesExistingContactsUnlinked(t *testing.T) {
	t.Parallel()
	accts := memstore.NewAccounts()
	contacts := memstore.New()
	imp(t, contacts, "email\nold@acme.com\n", importer.Config{})
	file := "email,company\nold@acme.com,Acme\nnew@acme.com,Acme\n"

	rep := imp(t, contacts, file, importer.Config{Mode: importer.ModeCreate, Accounts: &accounts.Resolver{Store: accts}})
	assert.Equal(t, 1, rep.SkippedBy[importer.CodeExists], "with update off the existing contact is counted and left alone")
	assert.Empty(t, byEmail(t, contacts, "old@acme.com").AccountID)
	assert.NotEmpty(t, byEmail(t, contacts, "new@acme.com").AccountID)

	rep = imp(t, contacts, file, importer.Config{Accounts: &accounts.Resolver{Store: accts}})
	assert.Equal(t, 1, rep.Updated, "with update on, the existing contact is linked")
	assert.Equal(t, byEmail(t, contacts, "new@acme.com").AccountID, byEmail(t, contacts, "old@acme.com").AccountID)
}

// A dry run links accounts in a dry-run session whatever the Resolver's
// DryRun field says: nothing is written, the report counts what would be.
func TestDryRunResolvesAccountsInADryRun(t *testing.T) {
	t.Parallel()
	for _, resolverDryRun := range []bool{false, true} {
		accts := memstore.NewAccounts()
		rep := imp(t, memstore.New(), "email,company\na@acme.com,Acme\nb@acme.com,Acme\n",
			importer.Config{DryRun: true, Accounts: &accounts.Resolver{Store: accts, DryRun: resolverDryRun}})
		assert.Equal(t, 1, rep.AccountsCreated, "Resolver.DryRun %v: what would be created", resolverDryRun)
		assert.Zero(t, accts.Len(), "Resolver.DryRun %v: nothing written", resolverDryRun)
	}
}

// 100k contacts over 1k accounts create each account exactly once, with
// the validation spread over several goroutines.
func TestManyContactsFewAccounts(t *testing.T) {
	t.Parallel()
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	var b strings.Builder
	b.WriteString("email,company\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "u%d@example.com,Company %d\n", i, i%1000)
	}
	accts := memstore.NewAccounts()
	rep := imp(t, memstore.New(), b.String(), importer.Config{Workers: 4, Accounts: &accounts.Resolver{Store: accts}})
	assert.Equal(t, n, rep.Created)
	assert.Equal(t, 1000, rep.AccountsCreated)
	assert.Equal(t, 1000, accts.Len())
	assert.Equal(t, n, rep.AccountsLinked)
	assert.Equal(t, n, rep.AccountsLinkedNew, "every row links to an account this import created")
}

func TestAccountImportBatchSizeDoesNotChangeTheOutcome(t *testing.T) {
	t.Parallel()
	file := "Account Name,Industry,Employees\nZeta,,\nAcme Inc,Tools,\nZeta,Retail,\nZeta,Retail,10\nZeta,,\nBad,,x\nAcme Inc,Tools,5\n"
	for _, policy := range []importer.FileDuplicates{importer.MergeRows, importer.KeepLast, importer.KeepFirst, importer.RejectLater} {
		var want *importer.Report
		var wantAccounts []accounts.Account
		for _, bs := range []int{1, 2, 500} {
			st := memstore.NewAccounts()
			rep := importAccounts(t, st, file, importer.Config{FileDuplicates: policy, BatchSize: bs})
			if want == nil {
				want, wantAccounts = rep, st.All()
				continue
			}
			assert.Equal(t, want.Counts, rep.Counts, "policy %s, batch %d", policy, bs)
			assert.Equal(t, wantAccounts, st.All(), "policy %s, batch %d", policy, bs)
		}
	}
}

// An account import interrupted after any line and resumed with
// ResumeAfterLine ends as a clean run of the whole file: a later row of a
// name met before the resumed line is still a duplicate within the file.
func TestAccountImportResumeMatchesACleanRun(t *testing.T) {
	t.Parallel()
	file := "Account Name,Industry,Employees\nZeta,Tools,\nAcme Inc,,\nZeta,Retail,10\nBad,,x\nAcme Inc,Robots,5\nZeta,,12\nNew Co,Retail,\n"
	lines := strings.Count(file, "\n")
	for _, policy := range []importer.FileDuplicates{importer.MergeRows, importer.KeepLast, importer.KeepFirst, importer.RejectLater} {
		cfg := importer.Config{FileDuplicates: policy, BatchSize: 2}
		clean := memstore.NewAccounts()
		importAccounts(t, clean, file, cfg)
		for cut := 2; cut < lines; cut++ {
			st := memstore.NewAccounts()
			importAccounts(t, st, strings.Join(strings.SplitAfter(file, "\n")[:cut], ""), cfg)
			resumed := cfg
			resumed.ResumeAfterLine = cut
			rep := importAccounts(t, st, file, resumed)
			assert.Equal(t, cut-1, rep.SkippedBy[importer.CodeBeforeResume], "policy %s, cut %d", policy, cut)
			assert.Equal(t, names(clean.All()), names(st.All()), "policy %s, interrupted after line %d", policy, cut)
			for _, a := range clean.All() {
				assert.Equal(t, a.Fields, accountByName(t, st, a.Name).Fields, "policy %s, interrupted after line %d: %s", policy, cut, a.Name)
			}
		}
	}
}

func names(as []accounts.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}
