package importer

import (
	"bytes"
	"io"
)

const (
	// sniffSize is how much input NewReader reads before deciding the
	// encoding, the delimiter and the preamble.
	sniffSize = 64 << 10
	// sniffMaxRecords is how many records of that head are looked at.
	sniffMaxRecords = 200
	// preambleMaxRecords is the longest preamble that is detected.
	preambleMaxRecords = 20
)

// sniffDelims are the delimiters NewReader chooses from, in order of
// preference when the evidence is even.
var sniffDelims = []byte{',', ';', '\t', '|'}

// sampleRec is a non-blank record of the sniffed head: where it starts and
// how many fields it has.
type sampleRec struct{ line, count int }

// sampleRecords parses the head with one delimiter. Quotes are honoured
// (lazily: a bare quote is text), blank records are left out.
func sampleRecords(sample []byte, delim, term byte, maxBytes, maxCols int) []sampleRec {
	sc := newScanner(bytes.NewReader(sample), delim, term, true, maxBytes, maxCols)
	var recs []sampleRec
	for len(recs) < sniffMaxRecords {
		line, err := sc.readRecord()
		if err != nil {
			if _, ok := err.(*parseError); ok {
				continue
			}
			break // io.EOF or a limit
		}
		if isBlank(sc.rec) {
			continue
		}
		recs = append(recs, sampleRec{line: line, count: len(sc.ends)})
	}
	return recs
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
func sniffDelimiter(sample []byte, term byte, maxBytes, maxCols int) byte {
	type cand struct {
		d     byte
		width int
		cons  float64
	}
	var cands []cand
	top := 0.0
	for _, d := range sniffDelims {
		w, c := recordWidth(sampleRecords(sample, d, term, maxBytes, maxCols))
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

// detectHeader returns the physical line of the header (or, without a
// header, of the first record): the first record as wide as the file's
// records, when everything before it is narrow (at most half as wide, like
// the "Notes:" block of LinkedIn's Connections.csv) and most records from it
// on are wide. Otherwise it is the first non-blank record. It returns 0 when
// the head holds no record.
func detectHeader(recs []sampleRec) int {
	if len(recs) == 0 {
		return 0
	}
	w, _ := recordWidth(recs)
	if w < 2 {
		return recs[0].line
	}
	narrow := max(1, w/2)
	h := -1
	for i := 0; i < len(recs) && i < preambleMaxRecords; i++ {
		if recs[i].count >= w {
			h = i
			break
		}
		if recs[i].count > narrow {
			break
		}
	}
	if h <= 0 {
		return recs[0].line
	}
	wide := 0
	for _, r := range recs[h:] {
		if r.count > narrow {
			wide++
		}
	}
	if wide*5 < len(recs[h:])*4 {
		return recs[0].line
	}
	return recs[h].line
}

// sniffTerm is '\r' for input whose lines end in a bare CR (old Mac
// exports), else '\n'.
func sniffTerm(sample []byte) byte {
	if bytes.IndexByte(sample, '\n') < 0 && bytes.IndexByte(sample, '\r') >= 0 {
		return '\r'
	}
	return '\n'
}

// completeLines cuts a truncated head after its last line break, so that
// sniffing does not see a half record.
func completeLines(sample []byte, term byte, truncated bool) []byte {
	if !truncated {
		return sample
	}
	if i := bytes.LastIndexByte(sample, term); i >= 0 {
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

// readHead reads up to n bytes; a short head means the input ended.
func readHead(r io.Reader, n int) ([]byte, error) {
	head := make([]byte, n)
	m, err := io.ReadFull(r, head)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return head[:m], err
}
