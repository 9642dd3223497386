//go:build race

package importer_test

// The race detector slows the pipeline down about tenfold, and CI runs
// `go test -race ./...`: under it the biggest reliability tests are scaled
// down. Without -race they run at full size.
const (
	// underRace is true in a -race build.
	underRace = true
	// hostileScale divides the size of the biggest hostile inputs:
	// TestHostileTenMillionBadRows imports 100,000 rows instead of 10 million.
	hostileScale = 100
)
