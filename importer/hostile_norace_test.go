//go:build !race

package importer_test

// hostileScale: full size without the race detector (see hostile_race_test.go).
const hostileScale = 1
