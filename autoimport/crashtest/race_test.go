//go:build race

package crashtest_test

// raceEnabled: the crash test runs smaller under the race detector.
const raceEnabled = true
