package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/mapping"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const sample = "testdata/contacts.csv"

// cleanCSV is a file without a problem or an unmapped column.
const cleanCSV = "Email,Company\nann@example.com,Acme\n"

// result is one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// report is the part of the -json report the tests read.
type report struct {
	File            string               `json:"file"`
	DB              string               `json:"db"`
	Rows            int                  `json:"rows"`
	Blank           int                  `json:"blank"`
	Created         int                  `json:"created"`
	Updated         int                  `json:"updated"`
	Unchanged       int                  `json:"unchanged"`
	Skipped         int                  `json:"skipped"`
	Failed          int                  `json:"failed"`
	SkippedBy       map[string]int       `json:"skipped_by"`
	AccountsCreated int                  `json:"accounts_created"`
	AccountsLinked  int                  `json:"accounts_linked"`
	Encoding        string               `json:"encoding"`
	Delimiter       string               `json:"delimiter"`
	Mapping         map[string]string    `json:"mapping"`
	Unmapped        []string             `json:"unmapped"`
	Suggested       bool                 `json:"suggested"`
	MappingFile     string               `json:"mapping_file"`
	Constants       []mapping.Constant   `json:"constants"`
	Errors          []problem            `json:"errors"`
	Warnings        []problem            `json:"warnings"`
	Preview         []map[string]string  `json:"preview"`
	ContactLimit    int                  `json:"contact_limit_line"`
	DryRun          bool                 `json:"dry_run"`
	ErrorsByCode    map[string]codeCount `json:"errors_by_code"`
	WarningsByCode  map[string]codeCount `json:"warnings_by_code"`
	ErrorsDropped   int                  `json:"errors_dropped"`
}

// importJSON runs the command with -json and decodes its report; the run
// must succeed and print nothing on stderr.
func importJSON(t *testing.T, args ...string) report {
	t.Helper()
	res := runCmd(t, append([]string{"-json"}, args...)...)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	require.Empty(t, res.stderr)
	var rep report
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep), "stdout is one JSON object: %s", res.stdout)
	return rep
}

// writeFile writes content to name in dir (a new temporary directory when
// dir is "") and returns its path: the one helper every test here uses to
// make the files it imports.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// codesAt returns "line code" for each problem, in order.
func codesAt(ps []problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s %s", p.Line, p.Code, p.Action))
	}
	return out
}

func openDB(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), path, sqlstore.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func lookup(t *testing.T, st importer.Store, email string) importer.Contact {
	t.Helper()
	got, err := st.Lookup(t.Context(), importer.KeyEmail, []string{importer.EmailKey(email)})
	require.NoError(t, err)
	require.Len(t, got, 1, "one contact %s", email)
	return got[0]
}

func count(t *testing.T, st importer.Store) int {
	t.Helper()
	n, err := st.Count(t.Context())
	require.NoError(t, err)
	return n
}

// The sample file: what a person sees the first time.
func TestSample(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "contacts.db")
	rep := importJSON(t, "-db", db, sample)

	assert.Equal(t, 29, rep.Rows)
	assert.Equal(t, 1, rep.Blank)
	assert.Equal(t, 25, rep.Created)
	assert.Equal(t, 2, rep.Failed, "bad e-mail, no e-mail (a display name is reduced to its address)")
	assert.Equal(t, rep.Rows, rep.Created+rep.Updated+rep.Unchanged+rep.Skipped+rep.Failed)
	assert.Equal(t, 8, rep.AccountsCreated, "Acme Inc, ACME Inc., Globex, Initech, Umbrella and three single ones")
	assert.Equal(t, 22, rep.AccountsLinked, "every created or updated row linked, the duplicate row of an Acme contact too")
	assert.Equal(t, "utf-8", rep.Encoding)
	assert.Equal(t, ",", rep.Delimiter)
	assert.True(t, rep.Suggested)
	assert.Equal(t, map[string]string{
		"E-mail Address": "email", "First Name": "first_name", "Last Name": "last_name",
		"Company": "account", "Job Title": "job_title", "Mobile Phone": "phone", "City": "city",
		"Country": "country", "Birthday": "birthday", "Labels": "tags", "Newsletter": "newsletter",
	}, rep.Mapping)
	assert.Equal(t, []string{"Notes"}, rep.Unmapped)
	assert.Equal(t, []string{
		"10 email.invalid rejected",
		"11 phone.too_short dropped",
		"12 date.impossible dropped",
		"15 value.required rejected",
		"20 enum.unknown dropped",
	}, codesAt(rep.Errors))
	assert.Equal(t, []string{
		"0 suggest.unmapped warning",
		"13 account.near_duplicate warning",
		"14 row.duplicate_in_file warning",
		"16 email.typo warning",
		"25 row.duplicate_in_file warning",
		"28 email.display_name warning",
	}, codesAt(rep.Warnings))

	st := openDB(t, db)
	assert.Equal(t, 25, count(t, st))
	jane := lookup(t, st, "jane.doe@acme.example")
	assert.Equal(t, "+14155550132", jane.Phone, "national number in the default region")
	assert.Equal(t, "1985-04-12", jane.Fields["birthday"])
	assert.ElementsMatch(t, []string{"customer", "vip"}, jane.Tags)
	assert.Equal(t, importer.StatusSubscribed, jane.Status)
	assert.NotEmpty(t, jane.AccountID)
	hans := lookup(t, st, "hans.mueller@globex.example")
	assert.Equal(t, "+4930901820", hans.Phone, "national number read with the row's country")
	john := lookup(t, st, "john.smith@acme.example")
	assert.Equal(t, "John.Smith@acme.example", john.Email, "domain lower-cased, local part kept")
	assert.Equal(t, "John", john.Fields["first_name"], "a merged duplicate only fills empty fields")
	assert.ElementsMatch(t, []string{"customer", "board"}, john.Tags, "tags of the duplicate row merged")
	milton := lookup(t, st, "milton.waddams@initech.example")
	assert.NotContains(t, milton.Fields, "birthday", "an impossible date is dropped, the row kept")
	bill := lookup(t, st, "bill.lumbergh@initech.example")
	assert.Empty(t, bill.Phone, "a bad phone is dropped, the row kept")

	names, err := st.FindAccountsByName(t.Context(), []string{"Acme Inc", "ACME, Inc.", "Initech"})
	require.NoError(t, err)
	assert.Len(t, names, 3, "the near-duplicate name is a second account, with a warning")
	assert.Equal(t, names["Acme Inc"].ID, jane.AccountID)
}

// Every problem in the JSON report has the documented keys, even when zero.
func TestJSONKeys(t *testing.T) {
	t.Parallel()
	res := runCmd(t, "-json", "-db", memoryDB, "-preview", "2", sample)
	require.Equal(t, exitOK, res.code, res.stderr)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &raw))
	for _, k := range []string{"rows", "created", "updated", "unchanged", "skipped", "failed",
		"accounts_created", "accounts_linked", "encoding", "delimiter", "mapping", "unmapped",
		"errors", "warnings", "preview", "dry_run", "suggested"} {
		assert.Contains(t, raw, k)
	}
	for _, list := range []string{"errors", "warnings"} {
		var ps []map[string]any
		require.NoError(t, json.Unmarshal(raw[list], &ps))
		require.NotEmpty(t, ps)
		for _, p := range ps {
			for _, k := range []string{"line", "column", "field", "code", "message"} {
				assert.Contains(t, p, k, "%s: %v", list, p)
			}
		}
	}

	// Without problems or unmapped columns the lists are [] (not null), and
	// without -preview there is no preview.
	clean := writeFile(t, "", "clean.csv", cleanCSV)
	res = runCmd(t, "-json", "-db", memoryDB, clean)
	require.Equal(t, exitOK, res.code, res.stderr)
	raw = nil
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &raw))
	assert.JSONEq(t, "[]", string(raw["errors"]))
	assert.JSONEq(t, "[]", string(raw["warnings"]))
	assert.JSONEq(t, "[]", string(raw["unmapped"]))
	assert.NotContains(t, raw, "preview")
}

// Running twice on the same file creates nothing the second time.
func TestSecondRun(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "contacts.db")
	first := importJSON(t, "-db", db, sample)
	second := importJSON(t, "-db", db, sample)
	assert.Equal(t, 25, first.Created)
	assert.Zero(t, second.Created)
	assert.Zero(t, second.Updated)
	assert.Zero(t, second.AccountsCreated)
	assert.Equal(t, first.Failed, second.Failed)
	assert.Equal(t, first.Rows-first.Failed, second.Unchanged, "every row that imported is unchanged, duplicate rows included")
	assert.Equal(t, 27, second.Unchanged)
	st := openDB(t, db)
	assert.Equal(t, 25, count(t, st))
	all := 0
	for _, err := range st.ListAccounts(t.Context()) {
		require.NoError(t, err)
		all++
	}
	assert.Equal(t, 8, all)
}

// A dry run reports what would happen and writes nothing.
func TestDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	t.Run("no database yet", func(t *testing.T) {
		t.Parallel()
		db := filepath.Join(dir, "never.db")
		rep := importJSON(t, "-dry-run", "-db", db, sample)
		assert.True(t, rep.DryRun)
		assert.Equal(t, 25, rep.Created, "would create")
		assert.Equal(t, 8, rep.AccountsCreated, "would create")
		assert.NoFileExists(t, db, "a dry run does not create the database")
	})

	t.Run("existing database", func(t *testing.T) {
		t.Parallel()
		db := filepath.Join(dir, "one.db")
		one := writeFile(t, dir, "one.csv", "Email,Job Title,Company\njane.doe@acme.example,Founder,Acme Inc\n")
		require.Equal(t, 1, importJSON(t, "-db", db, one).Created)

		rep := importJSON(t, "-dry-run", "-db", db, sample)
		assert.True(t, rep.DryRun)
		assert.Equal(t, 24, rep.Created)
		assert.Equal(t, 3, rep.Updated, "Jane's rows 2 and 14, and row 25 that adds a tag to John, created on line 3")
		assert.Equal(t, 7, rep.AccountsCreated, "Acme Inc exists")

		st := openDB(t, db)
		assert.Equal(t, 1, count(t, st))
		jane := lookup(t, st, "jane.doe@acme.example")
		assert.Equal(t, "Founder", jane.Fields["job_title"])
		assert.Empty(t, jane.Phone)
		n := 0
		for _, err := range st.ListAccounts(t.Context()) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 1, n)
	})
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	noEmail := write("no_email.csv", "Name,Company\nJane Doe,Acme\n")
	empty := write("empty.csv", "")
	otherMapping := write("other.json", `{"columns":[{"index":0,"header":"Email","field":"email"}],"fingerprint":"x"}`)
	notJSON := write("bad.json", "{")
	db := func() string { return filepath.Join(t.TempDir(), "c.db") }

	tests := []struct {
		name   string
		args   []string
		code   int
		reason string // in the one line on stderr
	}{
		{"sample", []string{"-db", db(), sample}, exitOK, ""},
		{"flags after the file", []string{sample, "-db", memoryDB, "-mode", "create"}, exitOK, ""},
		{"help", []string{"-h"}, exitOK, ""},

		{"missing file", []string{"-db", db(), filepath.Join(dir, "missing.csv")}, exitFailed, "cannot read the CSV file"},
		{"directory", []string{"-db", db(), dir}, exitFailed, "directory"},
		{"empty file", []string{"-db", db(), empty}, exitFailed, "empty file"},
		{"no e-mail column", []string{"-db", db(), noEmail}, exitFailed, "no e-mail column"},
		{"mapping for another file", []string{"-db", db(), "-mapping", otherMapping, sample}, exitFailed, "another header"},
		{"mapping not JSON", []string{"-db", db(), "-mapping", notJSON, sample}, exitFailed, "not a mapping"},
		{"missing mapping", []string{"-db", db(), "-mapping", filepath.Join(dir, "none.json"), sample}, exitFailed, "cannot use the mapping"},
		{"database not openable", []string{"-db", filepath.Join(dir, "missing-dir", "c.db"), sample}, exitFailed, "database"},

		{"no file", []string{"-db", db()}, exitBadArgs, "no CSV file"},
		{"two files", []string{"-db", db(), sample, sample}, exitBadArgs, "one CSV file at a time"},
		{"unknown flag", []string{"-nope", sample}, exitBadArgs, "-nope"},
		{"bad mode", []string{"-mode", "merge", sample}, exitBadArgs, "-mode"},
		{"bad accounts", []string{"-accounts", "maybe", sample}, exitBadArgs, "-accounts"},
		{"bad region", []string{"-region", "XX", sample}, exitBadArgs, "-region"},
		{"long region", []string{"-region", "USA", sample}, exitBadArgs, "-region"},
		{"bad delimiter", []string{"-delimiter", ";;", sample}, exitBadArgs, "-delimiter"},
		{"quote delimiter", []string{"-delimiter", `"`, sample}, exitBadArgs, "-delimiter"},
		{"bad encoding", []string{"-encoding", "klingon", "-db", db(), sample}, exitBadArgs, "-encoding"},
		{"negative limit", []string{"-limit", "-1", sample}, exitBadArgs, "-limit"},
		{"negative preview", []string{"-preview", "-3", sample}, exitBadArgs, "-preview"},
		{"empty tag", []string{"-tag", " ", sample}, exitBadArgs, "-tag"},
		{"not a number", []string{"-limit", "ten", sample}, exitBadArgs, "-limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runCmd(t, tt.args...)
			assert.Equal(t, tt.code, res.code, "stderr: %s", res.stderr)
			if tt.code == exitOK {
				return
			}
			assert.Empty(t, res.stdout)
			assert.True(t, strings.HasPrefix(res.stderr, "csvimport: "), res.stderr)
			assert.Equal(t, 1, strings.Count(res.stderr, "\n"), "one line: %q", res.stderr)
			assert.Contains(t, res.stderr, tt.reason)
		})
	}
}

// -errors writes the rejected rows as read, with their line and reasons,
// safe to open in a spreadsheet.
func TestErrorCSV(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "errors.csv")
	importJSON(t, "-db", memoryDB, "-errors", path, sample)

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3, "header and two rejected rows")
	assert.Equal(t, []string{"E-mail Address", "First Name", "Last Name", "Company", "Job Title",
		"Mobile Phone", "City", "Country", "Birthday", "Labels", "Newsletter", "Notes",
		importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}, recs[0])
	lines := []string{}
	for _, r := range recs[1:] {
		lines = append(lines, r[12])
	}
	assert.Equal(t, []string{"10", "15"}, lines)
	assert.Equal(t, "samir.nagheenanajar.initech.example", recs[1][0])
	assert.Equal(t, `'=HYPERLINK("https://initech.example")`, recs[1][11], "formulas neutralized")
	assert.Contains(t, recs[1][13], "email.invalid")
	assert.Contains(t, recs[2][13], "value.required")
}

// -save-mapping writes the mapping used; -mapping re-applies it, edits
// included.
func TestMappingRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	saved := filepath.Join(dir, "mapping.json")
	first := importJSON(t, "-db", memoryDB, "-save-mapping", saved, "-tag", "expo-2026", sample)
	assert.True(t, first.Suggested)

	b, err := os.ReadFile(saved)
	require.NoError(t, err)
	var m mapping.Mapping
	require.NoError(t, json.Unmarshal(b, &m))
	header := []string{"E-mail Address", "First Name", "Last Name", "Company", "Job Title",
		"Mobile Phone", "City", "Country", "Birthday", "Labels", "Newsletter", "Notes"}
	assert.True(t, m.Fits(header))
	assert.Equal(t, []mapping.Constant{{Field: "tags", Value: "expo-2026"}}, m.Constants)

	again := importJSON(t, "-db", memoryDB, "-mapping", saved, "-tag", "expo-2026", sample)
	assert.False(t, again.Suggested)
	assert.Equal(t, saved, again.MappingFile)
	assert.Equal(t, first.Mapping, again.Mapping)
	assert.Equal(t, []mapping.Constant{{Field: "tags", Value: "expo-2026"}}, again.Constants, "the tag is not added twice")
	assert.Equal(t, first.Created, again.Created)

	// An edited mapping is used as edited: drop the job title.
	for i := range m.Columns {
		if m.Columns[i].Field == "job_title" {
			m.Columns[i].Field = ""
		}
	}
	b, err = json.Marshal(&m)
	require.NoError(t, err)
	edited := filepath.Join(dir, "edited.json")
	require.NoError(t, os.WriteFile(edited, b, 0o644))
	db := filepath.Join(dir, "edited.db")
	rep := importJSON(t, "-db", db, "-mapping", edited, sample)
	assert.NotContains(t, rep.Mapping, "Job Title")
	assert.Equal(t, []string{"Job Title", "Notes"}, rep.Unmapped)
	jane := lookup(t, openDB(t, db), "jane.doe@acme.example")
	assert.NotContains(t, jane.Fields, "job_title")
	assert.ElementsMatch(t, []string{"customer", "vip", "expo-2026"}, jane.Tags, "the saved tag constant is applied")
}

// -tag adds tags to every imported contact.
func TestTags(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "c.db")
	rep := importJSON(t, "-db", db, "-tag", "expo", "-tag", "2026", sample)
	assert.ElementsMatch(t, []mapping.Constant{{Field: "tags", Value: "expo"}, {Field: "tags", Value: "2026"}}, rep.Constants)
	st := openDB(t, db)
	assert.ElementsMatch(t, []string{"partner", "expo", "2026"}, lookup(t, st, "wei.li@globex.example").Tags)
	assert.ElementsMatch(t, []string{"customer", "expo", "2026"}, lookup(t, st, "liam.obrien@example.ie").Tags)
}

// -preview shows the first contacts as written: normalized values.
func TestPreview(t *testing.T) {
	t.Parallel()
	for _, dry := range []bool{false, true} {
		args := []string{"-db", memoryDB, "-preview", "3", sample}
		if dry {
			args = append(args, "-dry-run")
		}
		rep := importJSON(t, args...)
		require.Len(t, rep.Preview, 3)
		assert.Equal(t, "jane.doe@acme.example", rep.Preview[0]["email"])
		assert.Equal(t, "+14155550132", rep.Preview[0]["phone"], "E.164")
		assert.Equal(t, "John.Smith@acme.example", rep.Preview[1]["email"], "domain lower-cased")
		assert.Equal(t, "+14155550198", rep.Preview[1]["phone"])
		assert.Equal(t, "+34612345678", rep.Preview[2]["phone"])
		assert.Equal(t, "Acme Inc", rep.Preview[2]["account"])
		assert.Equal(t, "none", rep.Preview[2]["newsletter"], `"no" is the enum's ID "none"`)
	}
}

func TestModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	changed := writeFile(t, dir, "changed.csv",
		"Email,Job Title,City\njane.doe@acme.example,Chair,\nnew.person@example.com,Intern,Oslo\n")
	seed := func(t *testing.T) string {
		db := filepath.Join(t.TempDir(), "c.db")
		one := writeFile(t, "", "one.csv", "Email,Job Title\njane.doe@acme.example,CEO\n")
		require.Equal(t, 1, importJSON(t, "-db", db, one).Created)
		return db
	}
	tests := []struct {
		name             string
		args             []string
		created, updated int
		skipped          map[string]int
		jobTitle         string
		people           int
	}{
		{"upsert", nil, 1, 1, nil, "Chair", 2},
		{"create", []string{"-mode", "create"}, 1, 0, map[string]int{"row.exists": 1}, "CEO", 2},
		{"update", []string{"-mode", "update"}, 0, 1, map[string]int{"row.not_found": 1}, "Chair", 1},
		{"fill empty", []string{"-fill-empty"}, 1, 0, nil, "CEO", 2},
		{"limit", []string{"-limit", "1"}, 0, 1, map[string]int{"row.contact_limit": 1}, "Chair", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := seed(t)
			rep := importJSON(t, append(append([]string{"-db", db}, tt.args...), changed)...)
			assert.Equal(t, tt.created, rep.Created)
			assert.Equal(t, tt.updated, rep.Updated)
			if tt.skipped == nil {
				assert.Empty(t, rep.SkippedBy)
			} else {
				assert.Equal(t, tt.skipped, rep.SkippedBy)
			}
			st := openDB(t, db)
			assert.Equal(t, tt.jobTitle, lookup(t, st, "jane.doe@acme.example").Fields["job_title"])
			assert.Equal(t, tt.people, count(t, st))
		})
	}
}

func TestAccountsFlag(t *testing.T) {
	t.Parallel()
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		rep := importJSON(t, "-db", memoryDB, "-accounts", "off", sample)
		assert.Zero(t, rep.AccountsCreated)
		assert.Zero(t, rep.AccountsLinked)
		assert.Contains(t, codesAt(rep.Warnings), "0 import.accounts_not_linked warning")
	})
	t.Run("link", func(t *testing.T) {
		t.Parallel()
		db := filepath.Join(t.TempDir(), "c.db")
		seed := writeFile(t, "", "seed.csv", "Email,Company\nceo@initech.example,Initech\n")
		require.Equal(t, 1, importJSON(t, "-db", db, seed).AccountsCreated)

		rep := importJSON(t, "-db", db, "-accounts", "link", sample)
		assert.Zero(t, rep.AccountsCreated)
		assert.Equal(t, 6, rep.AccountsLinked, "the Initech rows that import")
		notFound := 0
		for _, w := range rep.Warnings {
			if w.Code == "account.not_found" {
				notFound++
			}
		}
		assert.Equal(t, 17, notFound, "the rows naming other companies stay unlinked, each with a warning")
		st := openDB(t, db)
		assert.Empty(t, lookup(t, st, "jane.doe@acme.example").AccountID)
		assert.NotEmpty(t, lookup(t, st, "peter.gibbons@initech.example").AccountID)
	})
}

// -encoding and -delimiter force what is otherwise detected.
func TestForcedDialect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// "Müller" in windows-1252, tab-separated, with a comma in a value.
	tsv := writeFile(t, dir, "export.tsv", "Email\tLast Name\tCity\nhm@example.com\tM\xfcller\tBerlin, Mitte\n")

	db := filepath.Join(dir, "c.db")
	rep := importJSON(t, "-db", db, "-encoding", "windows-1252", "-delimiter", "tab", tsv)
	assert.Equal(t, "windows-1252", rep.Encoding)
	assert.Equal(t, "\t", rep.Delimiter)
	hm := lookup(t, openDB(t, db), "hm@example.com")
	assert.Equal(t, "Müller", hm.Fields["last_name"])
	assert.Equal(t, "Berlin, Mitte", hm.Fields["city"])

	// Forced to a comma the same file is one column named after its header
	// line: no e-mail column.
	res := runCmd(t, "-db", memoryDB, "-delimiter", ",", tsv)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "no e-mail column")
}

// The human summary, checked against testdata/summary.golden (-update
// rewrites it).
func TestSummary(t *testing.T) {
	t.Parallel()
	res := runCmd(t, "-db", memoryDB, "-tag", "expo-2026", sample)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Empty(t, res.stderr, "no progress bar when stderr is not a terminal")
	golden := filepath.Join("testdata", "summary.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(res.stdout), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), res.stdout)
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := &progressBar{w: &buf, name: "contacts.csv"}
	b.update(importer.Progress{Counts: importer.Counts{Rows: 500}, BytesRead: 50, TotalBytes: 200})
	assert.Equal(t, "\r[#######.......................]  25%  contacts.csv: 500 rows\x1b[K", buf.String())
	buf.Reset()
	b.update(importer.Progress{Counts: importer.Counts{Rows: 7}})
	assert.Equal(t, "\rcontacts.csv: 7 rows\x1b[K", buf.String(), "size unknown: rows only")
	buf.Reset()
	b.clear()
	assert.Equal(t, "\r\x1b[K", buf.String(), "the bar is erased before the summary")

	var never *progressBar
	never.clear() // no bar (stderr not a terminal): nothing to do

	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f))
	assert.False(t, isTerminal(&buf))
}

func TestParseDelimiter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]rune{"": 0, ";": ';', "tab": '\t', `\t`: '\t', "\t": '\t', "|": '|', "TAB": '\t'} {
		got, err := parseDelimiter(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{";;", "é", "\n", `"`} {
		_, err := parseDelimiter(in)
		assert.Error(t, err, in)
	}
}
