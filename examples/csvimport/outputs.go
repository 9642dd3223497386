package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// A file the command writes (the -errors CSV, the -save-mapping JSON) is
// never one it reads or the database: checkOutputs refuses that before
// anything is opened, and each output is written to a temporary file beside
// it and renamed over it at the end (atomicFile), so that a crash or an
// interrupted run never leaves half a file where a good one was.

// namedPath is a path given on the command line with the flag that gave it.
type namedPath struct {
	flag, path string
}

func (n namedPath) String() string {
	if n.flag == "" {
		return "the CSV file " + termSafe(n.path)
	}
	return n.flag + " " + termSafe(n.path)
}

// checkOutputs refuses outputs that are the CSV file, the database, the
// -mapping file or each other, and outputs that are directories. The
// database is written too: it may not be the CSV file either. -save-mapping
// may be the -mapping file (the saved mapping is updated: it is read before
// it is replaced).
func checkOutputs(o *options) error {
	input := namedPath{"", o.file}
	var db, mappingIn, errs, save, export namedPath
	if o.db != memoryDB {
		db = namedPath{"-db", o.db}
	}
	if o.mappingFile != "" {
		mappingIn = namedPath{"-mapping", o.mappingFile}
	}
	if o.errorsFile != "" {
		errs = namedPath{"-errors", o.errorsFile}
	}
	if o.saveMapping != "" {
		save = namedPath{"-save-mapping", o.saveMapping}
	}
	if o.export != "" {
		export = namedPath{"-export", o.export}
	}
	checks := []struct {
		out    namedPath
		others []namedPath
	}{
		{db, []namedPath{input, mappingIn}},
		{errs, []namedPath{input, db, mappingIn, save}},
		{save, []namedPath{input, db}},
		{export, []namedPath{input, db, mappingIn, errs, save}},
	}
	for _, c := range checks {
		if c.out.path == "" {
			continue
		}
		if fi, err := os.Stat(c.out.path); err == nil && fi.IsDir() {
			return &usageError{fmt.Sprintf("%s: is a directory; give a file name", c.out)}
		}
		for _, in := range c.others {
			if in.path != "" && sameFile(c.out.path, in.path) {
				return &usageError{fmt.Sprintf("%s is the same file as %s: it would be overwritten; choose another file", c.out, in)}
			}
		}
	}
	return nil
}

// sameFile reports whether a and b are one file: the same existing file
// (os.SameFile, so also through symbolic and hard links), or, when one of
// them does not exist yet, the same path once links in it are resolved.
func sameFile(a, b string) bool {
	ai, aerr := os.Stat(a)
	bi, berr := os.Stat(b)
	if aerr == nil && berr == nil {
		return os.SameFile(ai, bi)
	}
	return canonical(a) == canonical(b)
}

// canonical is p absolute, with the symbolic links of its longest existing
// prefix resolved.
func canonical(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	rest := ""
	for dir := abs; ; {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
}

// atomicFile is an output being written to a temporary file in the
// directory of its path. commit renames it over the path; abort removes it.
// Until commit, a file already at the path is untouched.
type atomicFile struct {
	*os.File
	path string
	done bool
}

// createAtomic starts writing path. The file gets the permissions of the
// file it replaces, or 0644.
func createAtomic(path string) (*atomicFile, error) {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &atomicFile{File: f, path: path}, nil
}

// commit syncs and closes the temporary file and renames it over the path.
func (a *atomicFile) commit() error {
	if a.done {
		return errors.New("csvimport: output already committed or aborted")
	}
	a.done = true
	err := a.Sync()
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.Name())
	}
	return err
}

// abort removes the temporary file; it does nothing after commit, so it
// can be deferred.
func (a *atomicFile) abort() {
	if a == nil || a.done {
		return
	}
	a.done = true
	a.Close()
	os.Remove(a.Name())
}

// writeFileAtomic writes b to path through a temporary file.
func writeFileAtomic(path string, b []byte) error {
	a, err := createAtomic(path)
	if err != nil {
		return err
	}
	defer a.abort()
	if _, err := a.Write(b); err != nil {
		return err
	}
	return a.commit()
}
