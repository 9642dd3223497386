package csvreader

import (
	"io"
	"strconv"
)

// genHeader is the header of the generated contact files.
const genHeader = "First Name,Last Name,Email,Phone,Company,Address,Notes\r\n"

// contactStream generates a contact CSV of at least size bytes on the fly:
// quoted fields with commas, doubled quotes and line breaks, CRLF, non-ASCII
// names. Nothing is kept but the current row.
type contactStream struct {
	size int64
	n    int64 // bytes produced
	row  int
	buf  []byte
	rest []byte
}

func newContactStream(size int64) *contactStream {
	s := &contactStream{size: size}
	s.rest = append(s.buf[:0], genHeader...)
	return s
}

func (s *contactStream) Read(p []byte) (int, error) {
	if len(s.rest) == 0 {
		if s.n >= s.size {
			return 0, io.EOF
		}
		s.row++
		s.rest = appendContactRow(s.buf[:0], s.row)
		s.buf = s.rest
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	s.n += int64(n)
	return n, nil
}

// appendContactRow appends row i (about 150 bytes, one physical line in
// three rows spans two lines).
func appendContactRow(b []byte, i int) []byte {
	b = append(b, "Zoë,Müller-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, ",zoe."...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "@example.com,+49 30 "...)
	b = strconv.AppendInt(b, int64(1000000+i%9000000), 10)
	b = append(b, `,"ACME, ""The Best"" GmbH","Hauptstraße `...)
	b = strconv.AppendInt(b, int64(i%300), 10)
	if i%3 == 0 {
		b = append(b, "\r\n10115 Berlin\",called twice\r\n"...)
	} else {
		b = append(b, ", 10115 Berlin\",\r\n"...)
	}
	return b
}

// endless is a reader of one endless line.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}
