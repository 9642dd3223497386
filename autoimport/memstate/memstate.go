// Package memstate holds in-memory reference implementations of the
// interfaces autoimport asks a host for: the state Store, the
// FieldCatalog and Presence. They pass the conformance suites of package
// autoimport/statetest, serve the library's tests and examples, and show
// what a database implementation must do. Everything is lost when the
// process ends.
//
// # Errors
//
// The Store returns the sentinels of package autoimport (ErrNotFound,
// ErrExists, ErrConflict, ErrLeaseLost, ErrTagTaken, *LeaseError) and
// ctx.Err() for a cancelled context; so do Fields and Presence, which
// have no other errors (Fields gives every new workspace a copy of its base
// schema).
package memstate

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/contactkit/contactkit/autoimport"
)

// Store is the in-memory autoimport.Store. The zero value is not usable:
// call New. It is safe for concurrent use.
type Store struct {
	mu      sync.Mutex
	imports map[autoimport.Ref]*autoimport.Import
	runs    map[autoimport.Ref][]*autoimport.RunRecord
	tags    map[[2]string]map[string]string // (workspace, service) → name → tag
}

var _ autoimport.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{
		imports: make(map[autoimport.Ref]*autoimport.Import),
		runs:    make(map[autoimport.Ref][]*autoimport.RunRecord),
		tags:    make(map[[2]string]map[string]string),
	}
}

func cloneImport(imp *autoimport.Import) *autoimport.Import {
	c := *imp
	c.Filters = slices.Clone(imp.Filters)
	if imp.Attention != nil {
		a := *imp.Attention
		c.Attention = &a
	}
	c.Sync = cloneSync(imp.Sync)
	return &c
}

func cloneSync(s autoimport.Sync) autoimport.Sync {
	s.WatermarkIDs = slices.Clone(s.WatermarkIDs)
	if s.Resume != nil {
		r := *s.Resume
		r.HighIDs = slices.Clone(r.HighIDs)
		s.Resume = &r
	}
	return s
}

func cloneRun(r *autoimport.RunRecord) *autoimport.RunRecord {
	c := *r
	c.SkippedBy = maps.Clone(r.SkippedBy)
	c.FailedBy = maps.Clone(r.FailedBy)
	c.Problems = slices.Clone(r.Problems)
	c.FieldsCreated = slices.Clone(r.FieldsCreated)
	return &c
}

// Create implements autoimport.Store.
func (s *Store) Create(ctx context.Context, imp *autoimport.Import) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := imp.Ref()
	if _, ok := s.imports[ref]; ok {
		return autoimport.ErrExists
	}
	c := cloneImport(imp)
	c.Revision = 1
	s.imports[ref] = c
	return nil
}

// Get implements autoimport.Store.
func (s *Store) Get(ctx context.Context, ref autoimport.Ref) (*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	imp, ok := s.imports[ref]
	if !ok {
		return nil, autoimport.ErrNotFound
	}
	return cloneImport(imp), nil
}

// List implements autoimport.Store.
func (s *Store) List(ctx context.Context, workspace string) ([]*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*autoimport.Import
	for ref, imp := range s.imports {
		if ref.Workspace == workspace {
			out = append(out, cloneImport(imp))
		}
	}
	slices.SortFunc(out, func(a, b *autoimport.Import) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Update implements autoimport.Store.
func (s *Store) Update(ctx context.Context, imp *autoimport.Import) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.imports[imp.Ref()]
	if !ok {
		return autoimport.ErrNotFound
	}
	if cur.Revision != imp.Revision {
		return autoimport.ErrConflict
	}
	c := cloneImport(imp)
	c.Revision = cur.Revision + 1
	c.Sync, c.Lease, c.Created = cur.Sync, cur.Lease, cur.Created
	s.imports[imp.Ref()] = c
	return nil
}

// Delete implements autoimport.Store.
func (s *Store) Delete(ctx context.Context, ref autoimport.Ref) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.imports[ref]; !ok {
		return autoimport.ErrNotFound
	}
	delete(s.imports, ref)
	delete(s.runs, ref)
	return nil
}

// Due implements autoimport.Store.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]autoimport.Ref, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*autoimport.Import
	for _, imp := range s.imports {
		if !imp.Paused && !imp.NextRun.IsZero() && !imp.NextRun.After(now) && !imp.Lease.Held(now) {
			due = append(due, imp)
		}
	}
	slices.SortFunc(due, func(a, b *autoimport.Import) int {
		if c := a.NextRun.Compare(b.NextRun); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Workspace, b.Workspace); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(due) > limit {
		due = due[:limit]
	}
	out := make([]autoimport.Ref, len(due))
	for i, imp := range due {
		out[i] = imp.Ref()
	}
	return out, nil
}

// Acquire implements autoimport.Store.
func (s *Store) Acquire(ctx context.Context, ref autoimport.Ref, token string, now, expires time.Time) (*autoimport.Import, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	imp, ok := s.imports[ref]
	if !ok {
		return nil, autoimport.ErrNotFound
	}
	if imp.Lease.Token != token && imp.Lease.Held(now) {
		return nil, &autoimport.LeaseError{Expires: imp.Lease.Expires}
	}
	imp.Lease = autoimport.Lease{Token: token, Expires: expires}
	return cloneImport(imp), nil
}

// holder returns the import if token holds its lease.
func (s *Store) holder(ref autoimport.Ref, token string) (*autoimport.Import, error) {
	imp, ok := s.imports[ref]
	if !ok {
		return nil, autoimport.ErrNotFound
	}
	if token == "" || imp.Lease.Token != token {
		return nil, autoimport.ErrLeaseLost
	}
	return imp, nil
}

// Save implements autoimport.Store.
func (s *Store) Save(ctx context.Context, ref autoimport.Ref, token string, sync autoimport.Sync, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	imp, err := s.holder(ref, token)
	if err != nil {
		return err
	}
	imp.Sync = cloneSync(sync)
	imp.Lease.Expires = expires
	return nil
}

// Release implements autoimport.Store.
func (s *Store) Release(ctx context.Context, ref autoimport.Ref, token string, end autoimport.RunEnd) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	imp, err := s.holder(ref, token)
	if err != nil {
		return err
	}
	imp.Sync = cloneSync(end.Sync)
	imp.NextRun = end.NextRun
	imp.Attention = nil
	if end.Attention != nil {
		a := *end.Attention
		imp.Attention = &a
	}
	imp.Lease = autoimport.Lease{}
	return nil
}

// PutRun implements autoimport.Store.
func (s *Store) PutRun(ctx context.Context, run *autoimport.RunRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := autoimport.Ref{Workspace: run.Workspace, ID: run.Import}
	if _, ok := s.imports[ref]; !ok {
		return autoimport.ErrNotFound
	}
	runs := s.runs[ref]
	for i, r := range runs {
		if r.ID == run.ID {
			runs[i] = cloneRun(run)
			return nil
		}
	}
	s.runs[ref] = append(runs, cloneRun(run))
	return nil
}

// Runs implements autoimport.Store.
func (s *Store) Runs(ctx context.Context, ref autoimport.Ref, limit int) ([]*autoimport.RunRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*autoimport.RunRecord
	for _, r := range s.runs[ref] {
		out = append(out, cloneRun(r))
	}
	// Newest first; runs started at one instant keep the newest stored first.
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b *autoimport.RunRecord) int { return b.Started.Compare(a.Started) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// FieldTags implements autoimport.Store.
func (s *Store) FieldTags(ctx context.Context, workspace, service string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string)
	for k, v := range s.tags[[2]string{workspace, service}] {
		out[k] = v
	}
	return out, nil
}

// ClaimTag implements autoimport.Store.
func (s *Store) ClaimTag(ctx context.Context, workspace, service, name, tag string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]string{workspace, service}
	m := s.tags[key]
	if t, ok := m[name]; ok {
		return t, nil
	}
	for _, t := range m {
		if t == tag {
			return "", autoimport.ErrTagTaken
		}
	}
	if m == nil {
		m = make(map[string]string)
		s.tags[key] = m
	}
	m[name] = tag
	return tag, nil
}
