package importer

import "github.com/contactkit/contactkit/mapping"

// What the import pipeline takes from a *Reader beyond the Source
// interface: the reader's warnings on good rows and on the file, and the
// encoding as the likely cause of an unusable mapping.

type (
	fileWarner      interface{ FileWarnings() []*RowError }
	encodingSuspect interface{ EncodingProblem(err error) error }
)

// withHeaderHint gives header detection the schema's names: a first row
// whose cells the schema knows is a header.
func withHeaderHint(c ReaderConfig, s *mapping.Schema, def func() *mapping.Schema) ReaderConfig {
	if c.HeaderHint != nil || c.Header != HeaderAuto {
		return c
	}
	if s == nil {
		s = def()
	}
	c.HeaderHint = func(name string) bool {
		sg := mapping.Suggest([]string{name}, nil, s)
		return sg.Mapping != nil && len(sg.Mapping.Columns) == 1 && sg.Mapping.Columns[0].Field != ""
	}
	return c
}

// readWarnings are the reader's warnings on a row as the row's problems.
func readWarnings(ws []*RowError) []Problem {
	if len(ws) == 0 {
		return nil
	}
	ps := make([]Problem, len(ws))
	for i, w := range ws {
		ps[i] = toProblem(w, ActionWarning)
	}
	return ps
}

// readerEnd adds what the reader knows once the input is read: its
// file-level warnings (no header row, short rows) and the encoding, which
// input that was ASCII for the whole sniffed head may have changed.
func (r *run) readerEnd(src Source) {
	if f, ok := src.(fileWarner); ok {
		for _, p := range f.FileWarnings() {
			r.rep.addProblem(toProblem(p, ActionWarning), r.cfg.maxProblems())
		}
	}
	if d, ok := src.(dialecter); ok {
		r.rep.Encoding = d.Dialect().Encoding
	}
}
