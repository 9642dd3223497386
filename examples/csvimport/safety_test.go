package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
)

// copySample copies the sample into dir, so a test may see it overwritten.
func copySample(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(sample)
	require.NoError(t, err)
	return writeFile(t, dir, name, string(b))
}

// leftovers lists the temporary files of outputs left in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, de := range des {
		if strings.Contains(de.Name(), ".tmp-") {
			out = append(out, de.Name())
		}
	}
	return out
}

// An output that is the CSV file, the database or the -mapping file (the
// same file, also through a symbolic or a hard link) is refused before
// anything is opened: the input and the database are left as they were.
func TestOutputIsInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := copySample(t, dir, "in.csv")
	db := filepath.Join(dir, "t.db")
	created := importJSON(t, "-db", db, in).Created
	require.Positive(t, created)
	inBytes, err := os.ReadFile(in)
	require.NoError(t, err)
	dbBytes, err := os.ReadFile(db)
	require.NoError(t, err)

	symIn := filepath.Join(dir, "link-to-in.csv")
	require.NoError(t, os.Symlink(in, symIn))
	hardIn := filepath.Join(dir, "hard-in.csv")
	require.NoError(t, os.Link(in, hardIn))
	symDB := filepath.Join(dir, "link-to.db")
	require.NoError(t, os.Symlink(db, symDB))
	subdirLink := filepath.Join(dir, "again")
	require.NoError(t, os.Symlink(dir, subdirLink))
	saved := filepath.Join(dir, "m.json")
	require.Equal(t, exitOK, runCmd(t, "-db", memoryDB, "-save-mapping", saved, in).code)
	newDB := filepath.Join(dir, "new.db")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"errors is the database", []string{"-db", db, "-errors", db, in}, "-errors"},
		{"errors is the input", []string{"-db", memoryDB, "-errors", in, in}, "-errors"},
		{"save-mapping is the input", []string{"-db", memoryDB, "-save-mapping", in, in}, "-save-mapping"},
		{"save-mapping is the database", []string{"-db", db, "-save-mapping", db, in}, "-save-mapping"},
		{"errors is the input through a symbolic link", []string{"-db", memoryDB, "-errors", symIn, in}, "-errors"},
		{"errors is the input through a hard link", []string{"-db", memoryDB, "-errors", hardIn, in}, "-errors"},
		{"errors is the database through a symbolic link", []string{"-db", db, "-errors", symDB, in}, "-errors"},
		{"errors through a linked directory", []string{"-db", memoryDB, "-errors", filepath.Join(subdirLink, "in.csv"), in}, "-errors"},
		{"database is the input", []string{"-db", in, in}, "-db"},
		{"errors is the mapping", []string{"-db", memoryDB, "-mapping", saved, "-errors", saved, in}, "-errors"},
		{"errors is save-mapping", []string{"-db", memoryDB, "-save-mapping", filepath.Join(dir, "o"), "-errors", filepath.Join(dir, "o"), in}, "-errors"},
		{"errors is a database not created yet", []string{"-db", newDB, "-errors", filepath.Join(subdirLink, "new.db"), in}, "-errors"},
		{"errors is a directory", []string{"-db", memoryDB, "-errors", dir, in}, "directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCmd(t, tt.args...)
			assert.Equal(t, exitBadArgs, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.want)
			assert.Equal(t, 1, strings.Count(res.stderr, "\n"), res.stderr)
			assert.Empty(t, res.stdout)
		})
	}
	got, err := os.ReadFile(in)
	require.NoError(t, err)
	assert.Equal(t, inBytes, got, "the CSV file is untouched")
	got, err = os.ReadFile(db)
	require.NoError(t, err)
	assert.Equal(t, dbBytes, got, "the database is untouched")
	assert.Equal(t, created, count(t, openDB(t, db)))
	assert.NoFileExists(t, newDB)
	assert.Empty(t, leftovers(t, dir))

	// -save-mapping may update the -mapping file it was read from.
	res := runCmd(t, "-db", memoryDB, "-mapping", saved, "-save-mapping", saved, in)
	assert.Equal(t, exitOK, res.code, res.stderr)
}

// Outputs are written beside their path and renamed at the end: a run that
// fails leaves a previous output as it was, and no temporary file; a run
// that succeeds replaces it, keeping its permissions.
func TestOutputsReplacedAtEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	errs := filepath.Join(dir, "errors.csv")
	saved := filepath.Join(dir, "mapping.json")
	require.NoError(t, os.WriteFile(errs, []byte("previous\n"), 0o600))
	require.NoError(t, os.WriteFile(saved, []byte("{}\n"), 0o640))
	noEmail := writeFile(t, dir, "no_email.csv", "Name,Company\nJane,Acme\n")

	res := runCmd(t, "-db", memoryDB, "-errors", errs, "-save-mapping", saved, noEmail)
	require.Equal(t, exitFailed, res.code, res.stderr)
	b, err := os.ReadFile(errs)
	require.NoError(t, err)
	assert.Equal(t, "previous\n", string(b))
	b, err = os.ReadFile(saved)
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(b))
	assert.Empty(t, leftovers(t, dir))

	importJSON(t, "-db", memoryDB, "-errors", errs, "-save-mapping", saved, sample)
	b, err = os.ReadFile(errs)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "E-mail Address,"), string(b))
	fi, err := os.Stat(errs)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	fi, err = os.Stat(saved)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm())
	assert.Empty(t, leftovers(t, dir))

	// A new output gets 0644.
	fresh := filepath.Join(dir, "fresh.csv")
	importJSON(t, "-db", memoryDB, "-errors", fresh, sample)
	fi, err = os.Stat(fresh)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}

// hostile is what a file can hold to take over a terminal.
const (
	clearScreen = "\x1b[2J"
	osc52       = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
	rtlOverride = "\u202e"
)

// Nothing from a file reaches the terminal raw: not in headers, values,
// messages or the file name, in the summary and in the one line on stderr.
func TestTerminalEscapes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := writeFile(t, dir, "evil"+clearScreen+".csv",
		"Email,\"Notes"+clearScreen+osc52+"\",\"City\nContacts: 9999 created\r\",Job Title\n"+
			"ann@example.com,x,Oslo,\"CEO"+rtlOverride+"gpj.exe\"\n"+
			"\"bad"+clearScreen+"@@x\",y,Bergen\u2028Contacts: 1 created,CTO\n")

	for _, args := range [][]string{
		{"-db", memoryDB, "-preview", "5", name},
		{"-db", memoryDB, "-dry-run", "-tag", "x" + osc52, name},
	} {
		res := runCmd(t, args...)
		require.Equal(t, exitOK, res.code, res.stderr)
		out := res.stdout + res.stderr
		for _, bad := range []string{"\x1b", "\x07", "\r", rtlOverride, "\u2028"} {
			assert.NotContains(t, out, bad)
		}
		assert.Equal(t, 1, strings.Count(res.stdout, "\nContacts: "), "one Contacts line, none forged:\n%s", res.stdout)
		assert.Contains(t, res.stdout, `Notes\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07`, "the header, escaped")
		assert.Contains(t, res.stdout, `City\nContacts: 9999 created`)
		assert.Contains(t, res.stdout, `evil\x1b[2J.csv`)
	}

	// The reason on stderr escapes the file name too.
	noEmail := writeFile(t, dir, "x"+osc52+".csv", "Name\nJane\n")
	res := runCmd(t, "-db", memoryDB, noEmail)
	require.Equal(t, exitFailed, res.code)
	assert.NotContains(t, res.stderr, "\x1b")
	assert.Contains(t, res.stderr, `x\x1b]52;c;ZWNobyBwd25lZA==\x07.csv`)
	assert.Equal(t, 1, strings.Count(res.stderr, "\n"))
}

func TestTermSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                      "",
		"Jane Doe":              "Jane Doe",
		"Müller, 東京 ✓":          "Müller, 東京 ✓",
		`a "quoted" \ value`:    `a "quoted" \ value`,
		"\x1b[2J":               `\x1b[2J`,
		"\x1b]52;c;eA==\x07":    `\x1b]52;c;eA==\x07`,
		"\x9b31m":               `\x9b31m`, // a C1 CSI byte, not UTF-8
		"\u009b31m":             `\u009b31m`,
		"a\nb\rc\td":            `a\nb\rc\td`,
		"x\u2028y\u2029z\u0085": `x\u2028y\u2029z\u0085`,
		"\u202egpj.exe":         `\u202egpj.exe`,
		"\u2066a\u2069":         `\u2066a\u2069`,
		"zero\u200bwidth\ufeff": `zero\u200bwidth\ufeff`,
		"nb\u00a0sp":            `nb\u00a0sp`,
		"\U000e0041tag":         `\U000e0041tag`,
		"\xff\xfe":              `\xff\xfe`,
	} {
		assert.Equal(t, want, termSafe(in), "%q", in)
	}
}

// FuzzTermSafe: whatever the input, the output is printable ASCII or
// printable Unicode only, and keeps printable input as it is.
func FuzzTermSafe(f *testing.F) {
	for _, s := range []string{"", "Jane", clearScreen, osc52, rtlOverride, "a\nb", "\xff", "東京\u200b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := termSafe(s)
		for _, r := range out {
			if !printable(r) {
				t.Fatalf("termSafe(%q) = %q keeps %U", s, out, r)
			}
		}
		clean := true
		for _, r := range s {
			clean = clean && printable(r)
		}
		if clean && out != s {
			t.Fatalf("termSafe(%q) = %q changed printable text", s, out)
		}
	})
}

// The summary groups problems by code with their counts, all of them (not
// only the first thousand the report keeps), so a small group is never
// hidden behind a large one; -json carries the counts.
func TestSummaryByCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Email,Mobile Phone,Birthday\n")
	// The first rows (the sample the mapping is suggested from) are
	// good; then one column goes bad for many rows.
	for i := range 60 {
		fmt.Fprintf(&b, "g%d@example.com,+1 415 555 %04d,\n", i, i)
	}
	const badPhones = 1200
	for i := range badPhones {
		fmt.Fprintf(&b, "p%d@example.com,12,\n", i)
	}
	b.WriteString("no-at-sign,,\n")
	b.WriteString("q@example.com,,1958-02-30\n")
	path := writeFile(t, dir, "noisy.csv", b.String())

	res := runCmd(t, "-db", memoryDB, path)
	require.Equal(t, exitOK, res.code, res.stderr)
	out := res.stdout
	assert.Contains(t, out, fmt.Sprintf("Errors (%d), by code:\n", badPhones+2))
	assert.Contains(t, out, "  email.invalid: 1 rejected\n")
	assert.Contains(t, out, fmt.Sprintf("  phone.too_short: %d dropped\n", badPhones))
	assert.Contains(t, out, "  date.impossible: 1 dropped\n")
	assert.Contains(t, out, fmt.Sprintf("    … and %d more", badPhones-examplesPerCode))
	assert.Less(t, strings.Index(out, "email.invalid"), strings.Index(out, "phone.too_short"), "rejected rows first")
	assert.Less(t, strings.Index(out, "phone.too_short"), strings.Index(out, "date.impossible"), "the larger group first")
	assert.Less(t, strings.Count(out, "\n"), 40, "bounded:\n%s", out)

	rep := importJSON(t, "-db", memoryDB, path)
	counts := func(m map[string]codeCount) map[string]int {
		out := map[string]int{}
		for code, c := range m {
			out[code] = c.Count
			assert.Equal(t, code, string(c.First.Code))
		}
		return out
	}
	assert.Equal(t, map[string]int{"phone.too_short": badPhones, "email.invalid": 1, "date.impossible": 1}, counts(rep.ErrorsByCode))
	assert.Equal(t, 62, rep.ErrorsByCode["phone.too_short"].First.Line)
	assert.Equal(t, 62+badPhones, rep.ErrorsByCode["email.invalid"].First.Line, "known although beyond the problems the report keeps")
	assert.Equal(t, importer.ActionRejected, rep.ErrorsByCode["email.invalid"].First.Action)
	assert.Equal(t, badPhones+2-1000, rep.ErrorsDropped, "the report keeps 1000")
	warnings := map[string]int{}
	for _, w := range rep.Warnings {
		warnings[string(w.Code)]++
	}
	assert.Equal(t, warnings, counts(rep.WarningsByCode), "the mapping's warnings counted with the importer's")

	// Without problems the counts are {}.
	rep = importJSON(t, "-db", memoryDB, writeFile(t, dir, "clean.csv", cleanCSV))
	assert.Equal(t, map[string]codeCount{}, rep.ErrorsByCode)
	assert.Equal(t, map[string]codeCount{}, rep.WarningsByCode)
}
