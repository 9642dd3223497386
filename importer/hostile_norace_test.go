//go:build !race

package importer_test

// Full size without the race detector (see hostile_race_test.go).
const (
	underRace    = false
	hostileScale = 1
)
