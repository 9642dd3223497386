package csvreader

import (
	"bytes"
	"io"
)

// lineReader returns the physical lines of a byte stream: each ends in "\n",
// "\r\n" or a bare "\r", whichever comes (also mixed within one stream),
// except the last line of the input, which may have no terminator. It holds
// one read buffer, grown only for a line longer than it, up to the limit
// the caller gives.
type lineReader struct {
	src  io.Reader
	buf  []byte
	r, w int
	err  error // the source's error (io.EOF at the end), once buf[r:w] is drained

	// nextCR is the index in buf of the first '\r' at or after r when it is
	// >= r; crScanned is how far buf has been searched for it, so that
	// input without CR is searched for one only once.
	nextCR    int
	crScanned int

	// back is input given back (a runaway quoted field's lines), read
	// before buf.
	back []byte
}

func newLineReader(src io.Reader) *lineReader {
	return &lineReader{src: src, buf: make([]byte, scanBufferSize), nextCR: -1}
}

// errLineTooLong is returned by next, without consuming anything, when no
// line terminator comes within the limit.
type errLineTooLong struct{}

func (errLineTooLong) Error() string { return "line too long" }

// next returns the next line with its terminator, valid until the next
// call, or io.EOF, or the source's error. A line longer than limit bytes
// returns errLineTooLong after at most limit+len(buffer) bytes were read.
func (lr *lineReader) next(limit int) ([]byte, error) {
	if len(lr.back) > 0 {
		n := lineEnd(lr.back)
		line := lr.back[:n]
		lr.back = lr.back[n:]
		return line, nil
	}
	for {
		avail := lr.buf[lr.r:lr.w]
		lf := bytes.IndexByte(avail, '\n')
		cr := lr.findCR()
		if cr >= 0 {
			cr -= lr.r
			switch {
			case lf >= 0 && cr > lf: // the LF comes first
			case cr+1 < len(avail):
				if avail[cr+1] != '\n' {
					return lr.take(cr + 1), nil // bare CR
				}
				// CRLF: lf == cr+1
			case lr.err != nil:
				return lr.take(cr + 1), nil // CR at the end of the input
			default:
				// A CR at the end of the buffer: a LF may follow.
				if err := lr.fill(limit); err != nil {
					return nil, err
				}
				continue
			}
		}
		if lf >= 0 {
			return lr.take(lf + 1), nil
		}
		if lr.err != nil {
			if lr.err == io.EOF && len(avail) > 0 {
				return lr.take(len(avail)), nil // the last line, without a terminator
			}
			return nil, lr.err
		}
		if len(avail) > limit {
			return nil, errLineTooLong{}
		}
		if err := lr.fill(limit); err != nil {
			return nil, err
		}
	}
}

// lineEnd is the length of the first line of b with its terminator; at
// the end of b without one, all of b.
func lineEnd(b []byte) int {
	for i, c := range b {
		switch c {
		case '\n':
			return i + 1
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				return i + 2
			}
			return i + 1
		}
	}
	return len(b)
}

func (lr *lineReader) take(n int) []byte {
	line := lr.buf[lr.r : lr.r+n]
	lr.r += n
	return line
}

// findCR returns the index in buf of the first '\r' in buf[r:w], or -1.
func (lr *lineReader) findCR() int {
	if lr.nextCR >= lr.r {
		return lr.nextCR
	}
	from := max(lr.r, lr.crScanned)
	j := bytes.IndexByte(lr.buf[from:lr.w], '\r')
	if j < 0 {
		lr.crScanned, lr.nextCR = lr.w, -1
		return -1
	}
	lr.nextCR = from + j
	lr.crScanned = lr.nextCR + 1
	return lr.nextCR
}

// fill reads more input: it moves the unread bytes to the front of buf,
// grows buf if it is full (to at most limit plus one buffer), and reads
// once. A read error is kept for when buf is drained.
func (lr *lineReader) fill(limit int) error {
	if lr.r > 0 {
		n := copy(lr.buf, lr.buf[lr.r:lr.w])
		if lr.nextCR >= lr.r {
			lr.nextCR -= lr.r
		} else {
			lr.nextCR = -1
		}
		lr.crScanned = max(0, lr.crScanned-lr.r)
		lr.w, lr.r = n, 0
	}
	if lr.w == len(lr.buf) {
		size := min(2*len(lr.buf), max(limit, 0)+scanBufferSize+1)
		if size <= len(lr.buf) {
			return errLineTooLong{}
		}
		nb := make([]byte, size)
		copy(nb, lr.buf[:lr.w])
		lr.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := lr.src.Read(lr.buf[lr.w:])
		lr.w += n
		if err != nil {
			lr.err = err
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	lr.err = io.ErrNoProgress
	return nil
}

// unread gives lines back, to be read again before the rest of the input.
func (lr *lineReader) unread(b []byte) {
	if len(lr.back) > 0 {
		b = append(b, lr.back...)
	}
	lr.back = b
}
