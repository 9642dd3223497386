//go:build race

package importer_test

// hostileScale divides the size of the biggest hostile inputs under the race
// detector, which slows the pipeline down about tenfold: CI runs
// `go test -race ./...`, where TestHostileTenMillionBadRows imports 100,000
// rows instead of 10 million. Without -race they run at full size.
const hostileScale = 100
