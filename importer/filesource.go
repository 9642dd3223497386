package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
)

// FileSource describes the file a CSV or web import reads, for its
// ImportRecord: name (without its directory), size and SHA-256 checksum,
// read from r to its end. Resuming by ID (Config.Resume) compares the
// checksum of the file given again with the record's, so a program
// describes the file this way both when it begins the import and when it
// resumes it. r is not closed; pass an io.SectionReader to leave an
// *os.File's offset where it is.
func FileSource(name string, r io.Reader) (ImportSource, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return ImportSource{}, err
	}
	return ImportSource{FileName: filepath.Base(name), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
