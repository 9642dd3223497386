//go:build !unix

package importer

// offHeap returns nil where anonymous mmap is not available: the dedupe
// index then lives on the Go heap.
func offHeap(int) []byte { return nil }

func freeOffHeap([]byte) {}
