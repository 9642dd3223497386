package importer_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// fuzzHeader is put before the fuzzed bytes when the fuzzer sets bit 0 of
// flags, so that most inputs get past the mapping into the pipeline.
const fuzzHeader = "email,first name,phone,tags,birthday,newsletter,company,country\n"

// fuzzMaxProblems is the report bound the fuzz target imports with.
const fuzzMaxProblems = 8

// FuzzImport runs the whole pipeline on memstore from fuzzed bytes and a few
// fuzzed settings (batch size, mode, file-duplicate policy, strictness,
// fill-empty, phone as a second match key, account linking) with small
// reader limits, and checks, for any input:
//   - no panic, and the import ends (within a generous deadline);
//   - the error, if any, is one the documentation lists (never ErrStore);
//   - every row is accounted for: Rows == Created+Updated+Unchanged+Skipped+Failed;
//   - the report stays bounded (Config.MaxProblems of each kind);
//   - every problem names a line of the input, except the documented
//     import-level warnings on line 0 (accounts not linked, mapping suggestions);
//   - from an empty store, the store holds exactly Created contacts, each
//     with an e-mail and only valid UTF-8 without NUL bytes;
//   - the batch size changes neither the counts nor the stored contacts;
//   - a re-run of the same file creates nothing.
func FuzzImport(f *testing.F) {
	seeds := []struct {
		data                 string
		batch, mode, dup, fl byte
	}{
		{"email,name\nann@example.com,Ann\nbob@example.com,Bob\n", 0, 0, 0, 0},
		{"ann@example.com,Ann,+1 415 555 0100,vip|new,1990-02-03,subscribed,Acme,US\n" +
			"ANN@example.com,,,old,,unsubscribed,Acme Inc,\n" +
			"bob@example.com,Bob,(415) 555-0101,,31/12/1980,none,,GB\n", 1, 0, 0, 1},
		{"bad,x,1,,2020-02-30,maybe,,\nok@example.com,=cmd(),+34 600,\"a,b\",,,Acme,ES\nok@example.com,\"multi\nline\",,,,,,\n", 2, 1, 1, 1},
		{"a@x.com,A\xffB,,,,,,\n\n\n  ,  \nb@x.com,\x00,,,,,,\n", 3, 2, 2, 1 | 2},
		{"c@x.com,#CLEAR,#CLEAR,,,,#CLEAR,\nc@x.com,Cy,,t1,,,,\nc@x.com,,,t2,,,,\n", 1, 0, 3, 1 | 4},
		{"Email;Vorname;Telefon\nd@x.de;Jörg;030 1234567\ne@x.de;\"Ä\"\"\";\n", 0, 0, 0, 0},
		{"\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00f\x00@\x00x\x00.\x00c\x00o\x00\n\x00", 0, 0, 0, 0},
		{"Notes:\n\"preamble, line\"\n\nFirst Name,E-mail Address\nG,g@x.com\n", 1, 0, 0, 8},
		{"email,email,EMAIL\nh@x.com,i@x.com,j@x.com\n", 0, 0, 0, 0},
		{"i@x.com," + strings.Repeat("y", 5000) + "\nj@x.com\n", 0, 0, 0, 1},
		{"k@x.com" + strings.Repeat(",", 100) + "\n", 0, 0, 0, 1},
		{"l@x.com,\"unterminated\nm@x.com,M\n", 1, 0, 0, 1},
		{"n@x.com,,+44 20 7946 0000,,,,,\no@x.com,,+442079460000,,,,,\n", 1, 0, 0, 1 | 16},
		{"email\r\np@x.com\rq@x.com\r\n\"r@x.com\"\n", 0, 0, 0, 0},
		{"PK\x03\x04rest", 0, 0, 0, 0},
		{"", 0, 0, 0, 0},
	}
	for _, s := range seeds {
		f.Add([]byte(s.data), s.batch, s.mode, s.dup, s.fl)
	}
	f.Fuzz(func(t *testing.T, data []byte, batch, mode, dup, flags byte) {
		cfg := importer.Config{
			BatchSize:      1 + int(batch%8),
			Mode:           []importer.Mode{importer.ModeUpsert, importer.ModeCreate, importer.ModeUpdate}[int(mode)%3],
			FileDuplicates: []importer.FileDuplicates{importer.MergeRows, importer.KeepFirst, importer.KeepLast, importer.RejectLater}[int(dup)%4],
			Strict:         flags&2 != 0,
			MaxProblems:    fuzzMaxProblems,
			MaxChanges:     fuzzMaxProblems,
			Workers:        2,
			Reader:         importer.ReaderConfig{MaxRecordBytes: 4096, MaxColumns: 64},
		}
		if flags&4 != 0 {
			cfg.ClearToken = "#CLEAR"
			cfg.Merge = importer.MergeFillEmpty
		}
		if flags&16 != 0 {
			cfg.MatchKeys = []importer.KeyKind{importer.KeyEmail, importer.KeyPhone}
			cfg.Region = "GB"
		}
		if flags&1 != 0 {
			data = append([]byte(fuzzHeader), data...)
			cfg.Reader.Delimiter = ','
		}
		maxLine := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1

		st, rep, err := fuzzImport(t, data, cfg, flags&8 != 0)
		checkFuzzReport(t, rep, err, maxLine)
		stored := st.All()
		if len(stored) != rep.Created {
			t.Fatalf("store holds %d contacts, the report says %d created", len(stored), rep.Created)
		}
		for _, c := range stored {
			checkFuzzContact(t, c)
		}
		if err != nil {
			return
		}

		// The batch size changes nothing.
		other := cfg
		other.BatchSize = 500
		st2, rep2, err2 := fuzzImport(t, data, other, flags&8 != 0)
		if err2 != nil || rep2.Counts != rep.Counts {
			t.Fatalf("batch size %d: %+v; batch size 500: %+v (%v)", cfg.BatchSize, rep.Counts, rep2.Counts, err2)
		}
		if got := st2.All(); !equalContacts(stored, got) {
			t.Fatalf("batch size %d stored\n%+v\nbatch size 500 stored\n%+v", cfg.BatchSize, stored, got)
		}

		// A plain re-run creates nothing.
		again, err := importer.Import(t.Context(), bytes.NewReader(data), st, cfg)
		if err != nil {
			t.Fatalf("re-run failed: %v", err)
		}
		checkFuzzReport(t, again, nil, maxLine)
		if again.Created != 0 || len(st.All()) != len(stored) {
			t.Fatalf("a re-run created %d contacts: %+v", again.Created, again.Counts)
		}
	})
}

// fuzzImport imports data into a new memstore and fails the test if the
// import does not end within a minute (a hang).
func fuzzImport(t *testing.T, data []byte, cfg importer.Config, linkAccounts bool) (*memstore.Store, *importer.Report, error) {
	t.Helper()
	st := memstore.New()
	if linkAccounts {
		cfg.Accounts = &accounts.Resolver{Store: memstore.NewAccounts()}
	}
	type result struct {
		rep *importer.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := importer.Import(context.Background(), bytes.NewReader(data), st, cfg)
		done <- result{rep, err}
	}()
	select {
	case res := <-done:
		if res.rep == nil {
			t.Fatalf("nil report (error %v)", res.err)
		}
		return st, res.rep, res.err
	case <-time.After(time.Minute):
		t.Fatalf("the import of %d bytes did not end within a minute", len(data))
	}
	return nil, nil, nil
}

func checkFuzzReport(t *testing.T, rep *importer.Report, err error, maxLine int) {
	t.Helper()
	var rde *importer.ReadError
	var rowErr *importer.RowError
	switch {
	case err == nil:
	case errors.Is(err, importer.ErrMapping), errors.As(err, &rde), errors.As(err, &rowErr),
		errors.Is(err, importer.ErrEmptyFile), errors.Is(err, importer.ErrSpreadsheet), errors.Is(err, importer.ErrBinaryFile),
		errors.Is(err, importer.ErrNotText):
		if !hasPackagePrefix(err) {
			t.Fatalf("error %q does not start with the package name", err)
		}
	default:
		t.Fatalf("unexpected error %T: %v", err, err)
	}
	c := rep.Counts
	if c.Rows != c.Created+c.Updated+c.Unchanged+c.Skipped+c.Failed {
		t.Fatalf("rows not accounted for: %+v", c)
	}
	if c.Rows < 0 || c.Blank < 0 || c.Rows+c.Blank > maxLine {
		t.Fatalf("counts %+v for an input of %d lines", c, maxLine)
	}
	skipped := 0
	for _, n := range rep.SkippedBy {
		skipped += n
	}
	if skipped != c.Skipped {
		t.Fatalf("skipped by reason %v adds up to %d, not %d", rep.SkippedBy, skipped, c.Skipped)
	}
	if len(rep.Errors) > fuzzMaxProblems || len(rep.Warnings) > fuzzMaxProblems {
		t.Fatalf("report over its bound: %d errors, %d warnings", len(rep.Errors), len(rep.Warnings))
	}
	if rep.LastCommittedLine < 0 || rep.LastCommittedLine > maxLine {
		t.Fatalf("last committed line %d of %d", rep.LastCommittedLine, maxLine)
	}
	for _, p := range append(append([]importer.Problem(nil), rep.Errors...), rep.Warnings...) {
		if p.Code == "" || p.Action == "" || !utf8.ValidString(p.Value) || !utf8.ValidString(p.Message) {
			t.Fatalf("malformed problem %+v", p)
		}
		if p.Line > maxLine || p.Line < 0 {
			t.Fatalf("problem on line %d of %d: %+v", p.Line, maxLine, p)
		}
		if p.Line == 0 && !lineZeroWarning(p) {
			t.Fatalf("problem without a line: %+v", p)
		}
	}
}

// lineZeroWarning reports whether p is one of the documented import-level
// warnings, which concern the file as a whole and have no line: accounts
// not linked, and the mapping suggestion's column warnings.
func lineZeroWarning(p importer.Problem) bool {
	return p.Action == importer.ActionWarning &&
		(p.Code == importer.CodeAccountsNotLinked || strings.HasPrefix(string(p.Code), "suggest."))
}

func checkFuzzContact(t *testing.T, c importer.Contact) {
	t.Helper()
	if c.Email == "" {
		t.Fatalf("stored contact without an e-mail: %+v", c)
	}
	values := []string{c.Email, c.Phone, c.ExternalID, string(c.Status)}
	values = append(values, c.Tags...)
	for k, v := range c.Fields {
		values = append(values, k, v)
	}
	for _, v := range values {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			t.Fatalf("stored value %q is not clean text: %+v", v, c)
		}
	}
}

func equalContacts(a, b []importer.Contact) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.Email != y.Email || x.Phone != y.Phone || x.ExternalID != y.ExternalID ||
			x.Status != y.Status || x.AccountID != y.AccountID || strings.Join(x.Tags, "\x00") != strings.Join(y.Tags, "\x00") ||
			len(x.Fields) != len(y.Fields) {
			return false
		}
		for k, v := range x.Fields {
			if w, ok := y.Fields[k]; !ok || w != v {
				return false
			}
		}
	}
	return true
}
