package csvreader

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenRead is what a golden file under testdata/golden holds.
type goldenRead struct {
	Dialect        Dialect   `json:"dialect"`
	Header         []string  `json:"header"`
	HeaderProblems []problem `json:"header_problems,omitempty"`
	readResult
}

// The fixtures under testdata are byte-exact copies of what real
// programs export (testdata/** is -text in .gitattributes).
func TestReaderGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		cfg  Config
		// What the fixture is about, checked besides the golden file.
		encoding string
		bom      bool
		delim    rune
	}{
		{name: "excel_unicode_text_utf16le", file: "excel_unicode_text_utf16le.txt", encoding: "utf-16le", bom: true, delim: '\t'},
		{name: "utf16be_bom", file: "utf16be_bom.csv", encoding: "utf-16be", bom: true, delim: ','},
		{name: "excel_de_windows1252", file: "excel_de_windows1252.csv", encoding: "windows-1252", delim: ';'},
		{name: "windows1250_forced", file: "windows1250.csv", cfg: Config{Encoding: "windows-1250"}, encoding: "windows-1250", delim: ','},
		{name: "windows1250_label_cp1250", file: "windows1250.csv", cfg: Config{Encoding: "cp1250"}, encoding: "windows-1250", delim: ','},
		{name: "windows1250_as_fallback", file: "windows1250.csv", cfg: Config{Fallback: "windows-1250"}, encoding: "windows-1250", delim: ','},
		// Detected from its text (Czech and Polish letters), not taken for
		// the default fallback, windows-1252, as it used to be.
		{name: "windows1250_detected", file: "windows1250.csv", encoding: "windows-1250", delim: ','},
		{name: "linkedin_connections", file: "linkedin_connections.csv", encoding: "utf-8", delim: ','},
		{name: "thunderbird", file: "thunderbird.csv", encoding: "utf-8", delim: ','},
		{name: "excel_utf8_bom", file: "excel_utf8_bom.csv", encoding: "utf-8", bom: true, delim: ','},
		{name: "pipe_ragged", file: "pipe_ragged.csv", encoding: "utf-8", delim: '|'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			r, err := NewReader(bytes.NewReader(in), tt.cfg)
			require.NoError(t, err)
			got := goldenRead{Dialect: r.Dialect(), Header: r.Header()}
			for _, p := range r.HeaderProblems() {
				got.HeaderProblems = append(got.HeaderProblems, problemOf(p))
			}
			got.readResult = readAll(t, r)
			require.NoError(t, got.Fatal)

			assert.Equal(t, tt.encoding, got.Dialect.Encoding, "encoding")
			assert.Equal(t, tt.bom, got.Dialect.BOM, "BOM")
			assert.Equal(t, string(tt.delim), string(got.Dialect.Delimiter), "delimiter")
			assert.Equal(t, int64(len(in)), r.InputOffset(), "input offset at the end")

			checkGolden(t, filepath.Join("testdata", "golden", tt.name+".json"), got)
		})
	}
}

// checkGolden compares v, as indented JSON, with the golden file, or
// rewrites the file with -update.
func checkGolden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run %s -update to create it", t.Name())
	assert.Equal(t, string(want), string(got), "golden file %s differs; review and run with -update", path)
}
