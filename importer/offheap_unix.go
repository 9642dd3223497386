//go:build unix

package importer

import "syscall"

// offHeap allocates n zeroed bytes outside the Go heap (anonymous mmap), or
// returns nil if the system refuses, in which case the caller uses the heap.
// Memory from offHeap is never scanned by the garbage collector and does not
// count towards the heap size that paces it: the dedupe index, which grows
// with the file, then does not double the heap the collector lets grow
// beside it. It must hold no Go pointers, and be given back with freeOffHeap.
func offHeap(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

func freeOffHeap(b []byte) { _ = syscall.Munmap(b) }
