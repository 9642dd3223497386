package sqlstate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
)

// BenchmarkRunCycle: the state statements of one run of one page: Acquire,
// Save (checkpoint), Release, PutRun.
func BenchmarkRunCycle(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			ref := autoimport.Ref{Workspace: "w", ID: "i"}
			require.NoError(b, s.Create(bg, &autoimport.Import{Definition: autoimport.Definition{Workspace: "w", ID: "i", Service: "fake", Account: "a"}}))
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			sync := autoimport.Sync{Watermark: t0, WatermarkIDs: []string{"r1"}, Resume: &autoimport.Resume{Cursor: "c", Pages: 1}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				now := t0.Add(time.Duration(i) * time.Minute)
				tok := fmt.Sprint(i)
				if _, err := s.Acquire(bg, ref, tok, now, now.Add(5*time.Minute)); err != nil {
					b.Fatal(err)
				}
				if err := s.Save(bg, ref, tok, sync, now.Add(5*time.Minute)); err != nil {
					b.Fatal(err)
				}
				if err := s.Release(bg, ref, tok, autoimport.RunEnd{Sync: sync, NextRun: now.Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
				if err := s.PutRun(bg, &autoimport.RunRecord{Workspace: "w", Import: "i", ID: tok, Started: now, Pages: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDue: the scheduler's query over 2,000 imports, 100 of them due.
func BenchmarkDue(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range 2000 {
				next := t0.Add(time.Hour)
				if i%20 == 0 {
					next = t0.Add(-time.Minute)
				}
				require.NoError(b, s.Create(bg, &autoimport.Import{NextRun: next, Definition: autoimport.Definition{
					Workspace: fmt.Sprintf("w%d", i%50), ID: fmt.Sprintf("i%d", i), Service: "fake", Account: "a"}}))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				due, err := s.Due(bg, t0, 1000)
				if err != nil || len(due) != 100 {
					b.Fatal(len(due), err)
				}
			}
		})
	}
}
