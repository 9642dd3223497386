//go:build !race

package crashtest_test

// raceEnabled: the crash test runs at full size without the race detector.
const raceEnabled = false
