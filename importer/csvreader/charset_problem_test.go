package csvreader

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/japanese"
)

// TestEncodingProblem: when what the caller made of the text fails (the
// importer: no column maps to the e-mail field), EncodingProblem says the
// encoding is the likely cause, naming the encoding used and the likely
// ones, only when there is a reason to think so: detection was unsure, or
// bytes were invalid in the encoding used. For a file read right it
// returns nil, and the caller's own error stands.
func TestEncodingProblem(t *testing.T) {
	t.Parallel()
	mapErr := errors.New("no e-mail column")
	sjis, err := japanese.ShiftJIS.NewEncoder().String("名前,メモ\n山田,表示\n")
	require.NoError(t, err)
	tests := []struct {
		name     string
		in       string
		cfg      Config
		encoding string // "" for no EncodingError
		first    string // the first candidate
	}{
		{name: "UTF-8 read right", in: "名前,メモ\n山田,表示\n"},
		{name: "Shift_JIS detected", in: sjis},
		{name: "Shift_JIS read as UTF-8 (forced)", in: sjis, cfg: Config{Encoding: "utf-8"}, encoding: "utf-8", first: "shift_jis"},
		{name: "too few non-ASCII bytes to tell", in: "name,city\nJos\xe9,x\n", encoding: "windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(strings.NewReader(tt.in), tt.cfg)
			require.NoError(t, err)
			readAll(t, r)
			got := r.EncodingProblem(mapErr)
			if tt.encoding == "" {
				assert.NoError(t, got)
				return
			}
			var ee *EncodingError
			require.ErrorAs(t, got, &ee)
			assert.ErrorIs(t, got, ErrEncodingUnclear)
			assert.ErrorIs(t, got, mapErr, "the caller's error is kept")
			assert.Equal(t, tt.encoding, ee.Encoding)
			require.NotEmpty(t, ee.Candidates)
			assert.NotContains(t, ee.Candidates, tt.encoding, "the encoding used is no candidate")
			if tt.first != "" {
				assert.Equal(t, tt.first, ee.Candidates[0])
			}
			assert.Contains(t, got.Error(), "the file's character encoding is the problem: read as "+tt.encoding)
		})
	}
}
