package csvreader

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spectrumDir is the csv-spectrum corpus, shared by the project and never
// copied into it (see its README.md).
var spectrumDir = filepath.Join("..", "..", "..", "shared", "testdata", "csv-spectrum")

// TestCSVSpectrum reads every csv-spectrum file and compares the rows with
// the expected JSON (an array of objects keyed by the header).
func TestCSVSpectrum(t *testing.T) {
	t.Parallel()
	csvs, err := filepath.Glob(filepath.Join(spectrumDir, "csvs", "*.csv"))
	require.NoError(t, err)
	if len(csvs) == 0 {
		spectrumMissing(t)
	}
	for _, path := range csvs {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		if name == "location_coordinates" {
			continue // TestCSVSpectrumLocationCoordinates
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := readSpectrumJSON(t, name)
			got := readSpectrumCSV(t, path, Config{})
			assert.Equal(t, want, got)
		})
	}
}

// location_coordinates.csv is known to disagree with its JSON (README.md of
// the corpus): the JSON is one object, not an array, and expects another
// phone number than the CSV has. Its coordinates also hold bare quotes.
func TestCSVSpectrumLocationCoordinates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(spectrumDir, "csvs", "location_coordinates.csv")
	in, err := os.Open(path)
	if os.IsNotExist(err) {
		spectrumMissing(t)
	}
	require.NoError(t, err)
	defer in.Close()

	// By default the bare quotes are text, with a warning that names the
	// cell (the file itself spells the degree signs as U+FFFD).
	r, err := NewReader(in, Config{})
	require.NoError(t, err)
	res := readAll(t, r)
	require.NoError(t, res.Fatal)
	require.Len(t, res.Rows, 1)
	assert.Equal(t, "37\uFFFD36'37.8\"N 121\uFFFD2'17.9\"W", res.Rows[0].Fields[1])
	assert.Empty(t, res.Problems)
	assert.Equal(t, []problem{{Line: 2, Column: 2, Code: CodeBareQuote, Value: "37\uFFFD36'37.8\"N 121\uFFFD2'17.9\"W"}}, res.Warnings)

	// With LazyQuotes the row reads as the JSON says, except for the
	// phone number, where the JSON is wrong.
	data, err := os.ReadFile(filepath.Join(spectrumDir, "json", "location_coordinates.json"))
	require.NoError(t, err)
	var want map[string]string
	require.NoError(t, json.Unmarshal(data, &want))
	require.Equal(t, "1234567890", want["Contact Phone Number"], "the known disagreement")
	want["Contact Phone Number"] = "2095257564"
	assert.Equal(t, []map[string]string{want}, readSpectrumCSV(t, path, Config{LazyQuotes: true}))
}

// spectrumMissing skips a test whose corpus is absent, unless the CI
// environment variable is set: CI must run it, so there it fails.
func spectrumMissing(t skipFataler) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("csv-spectrum corpus not found in %s, and CI=%q: CI must run the conformance test (put the corpus in the shared folder next to the repository)", spectrumDir, os.Getenv("CI"))
		return
	}
	t.Skipf("csv-spectrum corpus not found in %s (it lives in the shared folder next to the repository; with CI set this fails)", spectrumDir)
}

// skipFataler is the part of testing.TB spectrumMissing uses.
type skipFataler interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// skipOutcome records which of Fatalf and Skipf was called.
type skipOutcome struct{ fatal, skip string }

func (o *skipOutcome) Helper()                      {}
func (o *skipOutcome) Fatalf(f string, args ...any) { o.fatal = fmt.Sprintf(f, args...) }
func (o *skipOutcome) Skipf(f string, args ...any)  { o.skip = fmt.Sprintf(f, args...) }

// TestCSVSpectrumMissingFailsInCI: without the corpus the conformance test
// fails when CI is set (as CI's own environment sets it) and skips with a
// clear message on a laptop.
func TestCSVSpectrumMissingFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	var ci skipOutcome
	spectrumMissing(&ci)
	assert.Contains(t, ci.fatal, "csv-spectrum corpus not found")
	assert.Empty(t, ci.skip)

	t.Setenv("CI", "")
	var laptop skipOutcome
	spectrumMissing(&laptop)
	assert.Empty(t, laptop.fatal)
	assert.Contains(t, laptop.skip, "csv-spectrum corpus not found")
}

func readSpectrumJSON(t *testing.T, name string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(spectrumDir, "json", name+".json"))
	require.NoError(t, err)
	var want []map[string]string
	require.NoError(t, json.Unmarshal(data, &want))
	return want
}

func readSpectrumCSV(t *testing.T, path string, cfg Config) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := NewReader(f, cfg)
	require.NoError(t, err)
	res := readAll(t, r)
	require.NoError(t, res.Fatal)
	require.Empty(t, res.Problems)
	got := []map[string]string{}
	for _, rec := range res.Rows {
		row := map[string]string{}
		for i, name := range r.Header() {
			row[name] = rec.Fields[i]
		}
		got = append(got, row)
	}
	return got
}
