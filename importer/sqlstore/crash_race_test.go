//go:build race

package sqlstore_test

// raceEnabled: the crash test runs smaller under the race detector.
const raceEnabled = true
