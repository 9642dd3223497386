package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

const (
	accountsCSV = "testdata/accounts.csv"
	contactsCSV = "testdata/contacts.csv"
)

// stepReport is the part of one import's report the tests read.
type stepReport struct {
	File            string             `json:"file"`
	Rows            int                `json:"rows"`
	Created         int                `json:"created"`
	Updated         int                `json:"updated"`
	Unchanged       int                `json:"unchanged"`
	Skipped         int                `json:"skipped"`
	Failed          int                `json:"failed"`
	AccountsCreated int                `json:"accounts_created"`
	AccountsLinked  int                `json:"accounts_linked"`
	Mapping         map[string]string  `json:"mapping"`
	Errors          []importer.Problem `json:"errors"`
	Warnings        []importer.Problem `json:"warnings"`
}

type jsonOutput struct {
	DB       string      `json:"db"`
	DryRun   bool        `json:"dry_run"`
	Accounts *stepReport `json:"accounts"`
	Contacts *stepReport `json:"contacts"`
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func importJSON(t *testing.T, args ...string) jsonOutput {
	t.Helper()
	code, stdout, stderr := runCmd(t, append([]string{"-json"}, args...)...)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stderr)
	var out jsonOutput
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	require.NotNil(t, out.Accounts)
	require.NotNil(t, out.Contacts)
	return out
}

func codes(ps []importer.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s %s", p.Line, p.Code, p.Action))
	}
	return out
}

func contact(t *testing.T, st *sqlstore.Store, email string) importer.Contact {
	t.Helper()
	got, err := st.Lookup(t.Context(), importer.KeyEmail, []string{importer.EmailKey(email)})
	require.NoError(t, err)
	require.Len(t, got, 1, email)
	return got[0]
}

func accountsByID(t *testing.T, st *sqlstore.Store) map[string]accounts.Account {
	t.Helper()
	m := map[string]accounts.Account{}
	for a, err := range st.ListAccounts(t.Context()) {
		require.NoError(t, err)
		m[a.ID] = a
	}
	return m
}

// The ActiveCampaign flow on the sample files: accounts with their fields,
// then contacts linked to them by name.
func TestSample(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "contacts.db")
	out := importJSON(t, "-db", db, accountsCSV, contactsCSV)

	a := out.Accounts
	assert.Equal(t, accountsCSV, a.File)
	assert.Equal(t, 8, a.Rows)
	assert.Equal(t, 6, a.Created, "Acme, Globex Corporation, Initech, Umbrella, Hooli, Globex Corp.")
	assert.Equal(t, 1, a.Updated, "the second Initech row fills the city")
	assert.Equal(t, 1, a.Failed, "the row without a name")
	assert.Equal(t, "domain", a.Mapping["Website"])
	assert.Equal(t, "employees", a.Mapping["Employees"])
	assert.Equal(t, []string{"5 integer.format dropped", "8 value.required rejected"}, codes(a.Errors))
	assert.Equal(t, []string{"7 account.near_duplicate warning", "9 row.duplicate_in_file warning"}, codes(a.Warnings))

	c := out.Contacts
	assert.Equal(t, contactsCSV, c.File)
	assert.Equal(t, 10, c.Created)
	assert.Equal(t, 9, c.AccountsLinked, "every contact with an account name")
	assert.Equal(t, 2, c.AccountsCreated, `"Pied Piper" is new; "ACME Inc" is not "Acme Inc" (exact names, as ActiveCampaign)`)
	assert.Equal(t, "account", c.Mapping["Account"])
	assert.Equal(t, []string{"10 account.near_duplicate warning"}, codes(c.Warnings))

	st, err := sqlstore.Open(t.Context(), db, sqlstore.Config{})
	require.NoError(t, err)
	defer st.Close()
	byID := accountsByID(t, st)
	assert.Len(t, byID, 8)

	initech := byID[contact(t, st, "peter.gibbons@initech.example").AccountID]
	assert.Equal(t, "Initech", initech.Name)
	assert.Equal(t, "initech.example", initech.Domain, "the website, normalized")
	assert.Equal(t, "Software", initech.Fields["industry"])
	assert.Equal(t, "85", initech.Fields["employees"])
	assert.Equal(t, "+15125550100", initech.Fields["phone"])
	assert.Equal(t, "Austin", initech.Fields["city"], "filled by the file's second Initech row")
	assert.Equal(t, "TPS reports", initech.Fields["description"], "the first row's value is kept")
	assert.Equal(t, initech.ID, contact(t, st, "bill.lumbergh@initech.example").AccountID)

	umbrella := byID[contact(t, st, "albert.wesker@umbrella.example").AccountID]
	assert.Equal(t, "Umbrella Corporation", umbrella.Name)
	assert.NotContains(t, umbrella.Fields, "employees", "the bad value was dropped")

	piper := byID[contact(t, st, "richard.hendricks@piedpiper.example").AccountID]
	assert.Equal(t, "Pied Piper", piper.Name, "created by the contact import")
	assert.Empty(t, piper.Fields)

	assert.Empty(t, contact(t, st, "jane.doe@example.com").AccountID)
}

// Running the flow again changes nothing.
func TestSecondRun(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "contacts.db")
	importJSON(t, "-db", db, accountsCSV, contactsCSV)
	again := importJSON(t, "-db", db, accountsCSV, contactsCSV)
	assert.Zero(t, again.Accounts.Created)
	assert.Zero(t, again.Accounts.AccountsCreated)
	assert.Zero(t, again.Contacts.Created)
	assert.Zero(t, again.Contacts.AccountsCreated)
	assert.Equal(t, 10, again.Contacts.Unchanged)
}

// With -accounts link, contacts only link to accounts that exist.
func TestLinkOnly(t *testing.T) {
	t.Parallel()
	out := importJSON(t, "-db", memoryDB, "-accounts", "link", accountsCSV, contactsCSV)
	assert.Zero(t, out.Contacts.AccountsCreated)
	assert.Equal(t, 7, out.Contacts.AccountsLinked)
	assert.Equal(t, []string{"9 account.not_found warning", "10 account.not_found warning"}, codes(out.Contacts.Warnings))
}

// A dry run reports both imports and writes nothing.
func TestDryRun(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "contacts.db")
	out := importJSON(t, "-db", db, "-dry-run", accountsCSV, contactsCSV)
	assert.True(t, out.DryRun)
	assert.Equal(t, 6, out.Accounts.Created)
	assert.Equal(t, 10, out.Contacts.Created)
	assert.NoFileExists(t, db)
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noName := filepath.Join(dir, "no_name.csv")
	require.NoError(t, os.WriteFile(noName, []byte("Website,Industry\nacme.example,Retail\n"), 0o644))
	noEmail := filepath.Join(dir, "no_email.csv")
	require.NoError(t, os.WriteFile(noEmail, []byte("Name,Account\nJane,Acme Inc\n"), 0o644))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout bool // the reports so far are printed
		reason string
	}{
		{"one file", []string{accountsCSV}, 2, false, "want two files"},
		{"bad flag", []string{"-accounts", "off", accountsCSV, contactsCSV}, 2, false, "-accounts"},
		{"missing accounts file", []string{"-db", memoryDB, filepath.Join(dir, "none.csv"), contactsCSV}, 1, false, "cannot read"},
		{"no account name column", []string{"-db", memoryDB, noName, contactsCSV}, 1, false, "cannot import the accounts"},
		{"no e-mail column", []string{"-db", memoryDB, accountsCSV, noEmail}, 1, true, "cannot import the contacts"},
		{"missing contacts file", []string{"-db", memoryDB, accountsCSV, filepath.Join(dir, "none.csv")}, 1, true, "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCmd(t, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Equal(t, tt.stdout, stdout != "", stdout)
			assert.True(t, strings.HasPrefix(stderr, "accounts: "), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			assert.Contains(t, stderr, tt.reason)
		})
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCmd(t, "-db", memoryDB, accountsCSV, contactsCSV)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "Accounts from testdata/accounts.csv: 8 rows, 6 created, 1 updated, 0 unchanged, 0 skipped, 1 failed\n")
	assert.Contains(t, stdout, "  mapping: Account Name -> name, Website -> domain, Industry -> industry, Employees -> employees,")
	assert.Contains(t, stdout, "Contacts from testdata/contacts.csv: 10 rows, 10 created, 0 updated, 0 unchanged, 0 skipped, 0 failed\n")
	assert.Contains(t, stdout, "  9 contacts linked to accounts")
	assert.Contains(t, stdout, `line 10: account.near_duplicate: created account "ACME Inc", close to "Acme Inc" (warning)`)
}

// The real program, built and run on the sample files.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "accounts")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	b, err := exec.Command(goCmd, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", b)

	db := filepath.Join(dir, "contacts.db")
	var stdout, stderr strings.Builder
	cmd := exec.Command(bin, "-json", "-db", db, accountsCSV, contactsCSV)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	var out jsonOutput
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &out), "stdout is the JSON report: %s", stdout.String())
	assert.Equal(t, db, out.DB)
	assert.Equal(t, 6, out.Accounts.Created)
	assert.Equal(t, 10, out.Contacts.Created)
	assert.Equal(t, 9, out.Contacts.AccountsLinked)

	err = exec.Command(bin, accountsCSV).Run()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "exits with a status: %v", err)
	assert.Equal(t, 2, ee.ExitCode())
}
