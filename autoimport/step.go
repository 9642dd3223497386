package autoimport

import (
	"context"

	"github.com/contactkit/contactkit/importer"
)

// defaultStep imports a job with importer.ImportFrom: contacts matched by
// external ID, then e-mail; side effects suppressed; empty cells never
// erase. Outcomes are the importer's, as in a CSV import: a record rejected
// (no e-mail, an invalid one, …) is failed, with its reason; a record the
// importer skips (the contact limit) is skipped.
func defaultStep(ctx context.Context, job *pageJob) (pageResult, error) {
	src := &pageSource{job: job}
	cfg := importer.Config{
		Schema:              job.Schema,
		Mapping:             job.Mapping,
		Mode:                importer.ModeUpsert,
		Merge:               importer.MergeOverwrite,
		MatchKeys:           []importer.KeyKind{importer.KeyExternalID, importer.KeyEmail},
		FileDuplicates:      importer.KeepLast,
		Status:              job.Status,
		ContactLimit:        job.ContactLimit,
		SuppressSideEffects: true,
		BatchSize:           job.BatchSize,
		OnCommit:            job.OnCommit,
		// Keep every problem of the page: the run record counts them by
		// reason.
		MaxProblems: len(job.Rows)*(len(job.Header)+2) + 16,
	}
	rep, err := importer.ImportFrom(ctx, src, job.Contacts, cfg)
	if err != nil {
		return pageResult{}, err
	}
	return resultOf(job, rep), nil
}

// resultOf turns an importer report into a pageResult.
func resultOf(job *pageJob, rep *importer.Report) pageResult {
	out := pageResult{Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged,
		Skipped: rep.Skipped, Failed: rep.Failed}
	recordID := func(line int) string {
		if line >= 1 && line <= len(job.IDs) {
			return job.IDs[line-1]
		}
		return ""
	}
	for code, n := range rep.SkippedBy {
		if out.SkippedBy == nil {
			out.SkippedBy = make(map[string]int)
		}
		out.SkippedBy[string(code)] += n
	}
	for _, p := range rep.Errors {
		if p.Action == importer.ActionSkipped && p.Line > 0 {
			out.Problems = append(out.Problems, Problem{RecordID: recordID(p.Line), Field: p.Field, Code: p.Code, Skipped: true})
		}
	}
	// One reason per rejected row: its first rejecting problem.
	seen := make(map[int]bool)
	for _, p := range rep.Errors {
		if p.Action != importer.ActionRejected || p.Line <= 0 || seen[p.Line] {
			continue
		}
		seen[p.Line] = true
		addCount(&out.FailedBy, string(p.Code))
		out.Problems = append(out.Problems, Problem{RecordID: recordID(p.Line), Field: p.Field, Code: p.Code})
	}
	return out
}
