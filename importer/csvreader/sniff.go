package csvreader

import (
	"bytes"
	"io"
	"slices"

	"github.com/contactkit/contactkit/validate"
)

const (
	// sniffSize is how much input NewReader reads before deciding the
	// encoding, the delimiter and the preamble.
	sniffSize = 64 << 10
	// sniffMaxSize is how far NewReader reads ahead for non-ASCII text to
	// decide the encoding on, and sniffNonASCII how many non-ASCII bytes
	// are enough.
	sniffMaxSize  = 1 << 20
	sniffNonASCII = 4096
	// sniffMaxRecords is how many records of that head are looked at.
	sniffMaxRecords = 200
	// preambleMaxRecords is the longest preamble that is detected.
	preambleMaxRecords = 20
)

// sniffDelims are the delimiters NewReader chooses from, in order of
// preference when the evidence is even.
var sniffDelims = []byte{',', ';', '\t', '|'}

// sampleRec is a non-blank record of the sniffed head: where it starts, how
// many fields it has, how many up to its last non-empty one, and whether a
// field looks like a data value (an e-mail address).
type sampleRec struct {
	line, count, eff int
	data             bool
}

// sampleRecords parses the head with one delimiter. Quotes are honoured
// (lazily: a bare quote is text), blank records are left out. With fields,
// it also returns the fields of the first maxFields records.
func sampleRecords(sample []byte, delim byte, maxBytes, maxCols int) []sampleRec {
	recs, _ := sampleFields(sample, delim, maxBytes, maxCols, 0)
	return recs
}

func sampleFields(sample []byte, delim byte, maxBytes, maxCols, maxFields int) ([]sampleRec, [][]string) {
	sc := newScanner(bytes.NewReader(sample), delim, true, maxBytes, maxCols)
	var recs []sampleRec
	var fields [][]string
	for len(recs) < sniffMaxRecords {
		line, err := sc.readRecord()
		if err != nil {
			break // io.EOF or a limit
		}
		if isBlank(sc.rec) {
			continue
		}
		r := sampleRec{line: line, count: len(sc.ends)}
		start := 0
		for i, end := range sc.ends {
			f := sc.rec[start:end]
			start = end
			if !isBlank(f) {
				r.eff = i + 1
				if !r.data && bytes.IndexByte(f, '@') >= 0 && validate.LooksLikeEmail(string(bytes.TrimSpace(f))) {
					r.data = true
				}
			}
		}
		recs = append(recs, r)
		if len(fields) < maxFields {
			fields = append(fields, split(nil, string(sc.rec), sc.ends))
		}
	}
	return recs, fields
}

// recordWidth is the most common field count among records with at least two
// fields (ties go to the wider), and the share of all records that have it.
// A width below 2 means the delimiter splits nothing.
func recordWidth(recs []sampleRec) (width int, consistency float64) {
	freq := map[int]int{}
	for _, r := range recs {
		if r.count >= 2 {
			freq[r.count]++
		}
	}
	best := 0
	for w, n := range freq {
		if n > best || (n == best && w > width) {
			width, best = w, n
		}
	}
	if len(recs) == 0 {
		return 0, 0
	}
	return width, float64(best) / float64(len(recs))
}

// sniffDelimiter picks the delimiter that splits the head's records most
// consistently; among near-equals (within 10 points), the one giving more
// columns, then the more consistent one, then the first of sniffDelims.
// With no evidence at all it is the comma.
func sniffDelimiter(sample []byte, maxBytes, maxCols int) byte {
	type cand struct {
		d     byte
		width int
		cons  float64
	}
	var cands []cand
	top := 0.0
	for _, d := range sniffDelims {
		w, c := recordWidth(sampleRecords(sample, d, maxBytes, maxCols))
		if w >= 2 {
			cands = append(cands, cand{d, w, c})
			top = max(top, c)
		}
	}
	best := cand{d: ','}
	for _, c := range cands {
		if c.cons < top-0.1 {
			continue
		}
		if c.width > best.width || (c.width == best.width && c.cons > best.cons) {
			best = c
		}
	}
	return best.d
}

// detectHeader returns the index in recs of the header (or, without a
// header, of the first record): the first record as wide as the file's
// records, when every record before it is narrow (at most half as wide,
// like the "Notes:" block of LinkedIn's Connections.csv, or a report title
// padded with empty cells to the table's width, as Invoice Ninja writes it)
// and holds no data value, and most records from it on are wide. Widths
// count up to the last non-empty field, so that trailing empty cells
// neither widen a preamble line nor narrow a header. Otherwise it is the
// first record. It returns -1 when the head holds no record.
func detectHeader(recs []sampleRec) int {
	if len(recs) == 0 {
		return -1
	}
	eff := make([]sampleRec, len(recs))
	for i, r := range recs {
		eff[i] = sampleRec{line: r.line, count: r.eff}
	}
	w, _ := recordWidth(eff)
	if w < 2 {
		return 0
	}
	narrow := max(1, w/2)
	h := -1
	for i := 0; i < len(recs) && i < preambleMaxRecords; i++ {
		if recs[i].eff >= w {
			h = i
			break
		}
		if recs[i].eff > narrow || recs[i].data {
			break
		}
	}
	if h <= 0 {
		return 0
	}
	wide := 0
	for _, r := range recs[h:] {
		if r.eff > narrow {
			wide++
		}
	}
	if wide*5 < len(recs[h:])*4 {
		return 0
	}
	return h
}

// completeLines cuts a truncated head after its last line break, so that
// sniffing does not see a half record.
func completeLines(sample []byte, truncated bool) []byte {
	if !truncated {
		return sample
	}
	if i := bytes.LastIndexAny(sample, "\r\n"); i >= 0 {
		return sample[:i+1]
	}
	return sample
}

// isBlank reports whether a record's text is only ASCII white space.
func isBlank(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			return false
		}
	}
	return true
}

func isBlankString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			return false
		}
	}
	return true
}

// binarySignatures start files people upload by mistake instead of a CSV
// export: ZIP (xlsx, ods, numbers), OLE2 (xls), PDF.
var binarySignatures = [][]byte{
	[]byte("PK\x03\x04"),
	{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1},
	[]byte("%PDF-"),
}

func isBinaryFile(head []byte) bool {
	for _, sig := range binarySignatures {
		if bytes.HasPrefix(head, sig) {
			return true
		}
	}
	return false
}

// imageSignatures start images and archives people upload by mistake: a
// screenshot of a spreadsheet, a compressed export. Each is long enough
// (or checked at two places) that no text file starts with it.
var imageSignatures = [][]byte{
	[]byte("\x89PNG\r\n\x1a\n"),
	{0xFF, 0xD8, 0xFF}, // JPEG
	[]byte("GIF87a"),
	[]byte("GIF89a"),
	[]byte("II*\x00"),  // TIFF, little-endian
	[]byte("MM\x00*"),  // TIFF, big-endian
	{0x1F, 0x8B, 0x08}, // gzip
	[]byte("7z\xbc\xaf\x27\x1c"),
	[]byte("Rar!\x1a\x07"),
	[]byte("\xfd7zXZ\x00"), // xz
}

func isImageOrArchive(head []byte) bool {
	for _, sig := range imageSignatures {
		if bytes.HasPrefix(head, sig) {
			return true
		}
	}
	// WebP: "RIFF", a size, "WEBP".
	return len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WEBP"
}

// readHead reads the head of the input that sniffing looks at: sniffSize
// bytes, and with extend, while they hold fewer than sniffNonASCII
// non-ASCII bytes, more, up to sniffMaxSize, so that the character encoding
// is decided on enough text (a file of ASCII names whose first accented one
// is on line 2,000). ended reports that the input ended within the head.
func readHead(r io.Reader, extend bool) (head []byte, ended bool, err error) {
	head = make([]byte, sniffSize)
	m, err := io.ReadFull(r, head)
	head = head[:m]
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return head, true, nil
	}
	if err != nil || !extend {
		return head, false, err
	}
	for non := nonASCII(head); non < sniffNonASCII && len(head) < sniffMaxSize; {
		more := min(sniffSize, sniffMaxSize-len(head))
		head = slices.Grow(head, more)
		m, err := io.ReadFull(r, head[len(head):len(head)+more])
		non += nonASCII(head[len(head) : len(head)+m])
		head = head[:len(head)+m]
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return head, true, nil
		}
		if err != nil {
			// The bytes before the failure are read as usual; the
			// failure comes when the reading reaches it.
			return head, false, &headError{err}
		}
	}
	return head, false, nil
}

// headError is a read failure met while reading ahead for sniffing, after
// the first sniffSize bytes: NewReader does not fail for it, the Reader
// does when its reading gets there.
type headError struct{ err error }

func (e *headError) Error() string { return e.err.Error() }

// Read returns the failure.
func (e *headError) Read([]byte) (int, error) { return 0, e.err }

func nonASCII(b []byte) int {
	n := 0
	for len(b) >= 8 && isASCII(b[:8]) {
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	return n
}

// isText reports whether a head of input (not UTF-16) can be text: control
// characters other than tab, line breaks, form feed and escape are rare in
// text of any 8-bit encoding and common in binary data (random bytes have
// one in nine). A few stray NUL bytes in a file are let through; they are
// a problem of their rows.
func isText(head []byte) bool {
	ctl := 0
	for _, c := range head {
		if c < 0x20 || c == 0x7f {
			switch c {
			case '\t', '\n', '\v', '\f', '\r', 0x1b:
			default:
				ctl++
			}
		}
	}
	return ctl < 8 || ctl*100 < len(head)
}
