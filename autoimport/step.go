package autoimport

import (
	"context"

	"github.com/contactkit/contactkit/importer"
)

// defaultStep imports a job with importer.ImportFrom from a recordSource:
// contacts matched by external ID, then e-mail; side effects suppressed;
// empty cells never erase. The page's result is made from the importer's
// per-record outcomes (Config.OnOutcomes), each naming its record by its
// position: a record rejected (no e-mail, an invalid one, …) is failed,
// with its first reason; a record the importer skips (the contact limit)
// is skipped, with its reason.
func defaultStep(ctx context.Context, job *pageJob) (pageResult, error) {
	var out pageResult
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
		OnOutcomes: func(_ context.Context, outs []importer.Outcome) error {
			for _, o := range outs {
				out.add(job, o)
			}
			return nil
		},
		History:       job.History,
		HistoryRecord: job.HistoryRecord,
	}
	if _, err := importer.ImportFrom(ctx, &recordSource{job: job}, job.Contacts, cfg); err != nil {
		return pageResult{}, err
	}
	return out, nil
}

// add counts one record's outcome.
func (out *pageResult) add(job *pageJob, o importer.Outcome) {
	id := job.recordID(o.Line)
	switch o.Kind {
	case importer.JournalCreated:
		out.Created++
	case importer.JournalUpdated:
		out.Updated++
	case importer.JournalUnchanged:
		out.Unchanged++
	case importer.JournalSkipped:
		out.Skipped++
		addCount(&out.SkippedBy, o.Reason)
		p := Problem{RecordID: id, Code: o.Reason, Skipped: true}
		for _, q := range o.Problems {
			if q.Action == importer.ActionSkipped {
				p.Field, p.Code = q.Field, q.Code
				break
			}
		}
		out.Problems = append(out.Problems, p)
	case importer.JournalFailed:
		out.Failed++
		// One reason per failed record: its first rejecting problem.
		for _, q := range o.Problems {
			if q.Action == importer.ActionRejected {
				addCount(&out.FailedBy, q.Code)
				out.Problems = append(out.Problems, Problem{RecordID: id, Field: q.Field, Code: q.Code})
				break
			}
		}
	}
}
