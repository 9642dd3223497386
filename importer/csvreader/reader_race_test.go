//go:build race

package csvreader

// raceEnabled: the race detector slows the reader down about tenfold, so
// the big-stream test reads a tenth of the data.
const raceEnabled = true
