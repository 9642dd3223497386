//go:build !race

package csvreader

const raceEnabled = false
