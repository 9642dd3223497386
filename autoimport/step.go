package autoimport

import (
	"context"
	"errors"
)

// defaultStep imports a job with importer.ImportFrom.
func defaultStep(ctx context.Context, job *pageJob) (pageResult, error) {
	return pageResult{}, errors.New("autoimport: importer.ImportFrom not wired yet")
}
