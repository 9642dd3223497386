package autoimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// pageJob is a page's records, ready for the importer.
type pageJob struct {
	Contacts importer.Store
	Schema   *mapping.Schema
	Mapping  *mapping.Mapping
	// Header names the columns: the service's field names, then the
	// external ID column.
	Header []string
	// Records are the page's records, keyed by their service IDs, with
	// their named fields; record i is the importer's "line" i+1.
	Records []Record
	// ExternalIDs are the records' contact external IDs, one per record.
	ExternalIDs []string
	// names are the record field names of the columns ("" for the
	// external ID and a missing e-mail).
	names []string

	ContactLimit int
	Status       importer.Status
	BatchSize    int
	OnCommit     func(ctx context.Context, events []importer.Event) error
	// History and HistoryRecord, when History is not nil, journal the
	// page's import (Config.History).
	History       importer.History
	HistoryRecord importer.ImportRecord
}

// pageResult is what importing a pageJob did.
type pageResult struct {
	Created, Updated, Unchanged, Skipped, Failed int
	SkippedBy, FailedBy                          map[importer.Code]int
	Problems                                     []Problem
}

// importStep imports one group of records; the page is committed when it
// returns nil.
type importStep func(ctx context.Context, job *pageJob) (pageResult, error)

// recordSource serves a pageJob's keyed records to the importer (an
// importer.Source): each record's named fields are placed under the
// header's columns as it is read, with its external ID in the last column;
// no CSV text in between. A record's Line is its 1-based position in the
// page, which is how its outcome finds its record ID again (recordID).
type recordSource struct {
	job  *pageJob
	next int
}

func (s *recordSource) Header() []string { return s.job.Header }

func (s *recordSource) Read() (importer.Record, error) {
	if s.next >= len(s.job.Records) {
		return importer.Record{}, io.EOF
	}
	x := s.job.Records[s.next]
	row := make([]string, len(s.job.Header)) // the importer keeps it
	for i, n := range s.job.names {
		if n != "" {
			row[i] = x.Fields[n]
		}
	}
	row[len(row)-1] = s.job.ExternalIDs[s.next]
	s.next++
	return importer.Record{Line: s.next, Fields: row}, nil
}

// recordID returns the service ID of the record at line (1-based), or "".
func (j *pageJob) recordID(line int) string {
	if line >= 1 && line <= len(j.Records) {
		return j.Records[line-1].ID
	}
	return ""
}

// externalIDHeader is the header of the column that carries the contact's
// external ID (columns are mapped by position, so it cannot clash with a
// service field of that name).
const externalIDHeader = "External ID"

// fieldResolver maps a service's field names to schema keys for one run,
// creating custom fields as needed.
type fieldResolver struct {
	r       *Runner
	ws      string
	service string
	info    Info
	rec     *RunRecord

	schema *mapping.Schema   // the workspace's schema, reloaded after field creation
	tags   map[string]string // registry: field name → tag
	keys   map[string]string // field name → schema key, "" for a name not imported
}

// load reads the schema and the registry once per run.
func (fr *fieldResolver) load(ctx context.Context) error {
	if fr.schema != nil {
		return nil
	}
	if err := fr.reloadSchema(ctx); err != nil {
		return err
	}
	tags, err := fr.r.cfg.State.FieldTags(ctx, fr.ws, fr.service)
	if err != nil {
		return fmt.Errorf("autoimport: field registry: %w", err)
	}
	fr.tags = maps.Clone(tags)
	if fr.tags == nil {
		fr.tags = make(map[string]string)
	}
	fr.keys = make(map[string]string)
	for name, role := range fr.info.Fields {
		if i := fr.schema.ByRole(role); i >= 0 {
			fr.keys[name] = fr.schema.Fields[i].Key
		}
	}
	return nil
}

func (fr *fieldResolver) reloadSchema(ctx context.Context) error {
	s, err := fr.r.cfg.Fields.Schema(ctx, fr.ws)
	if err != nil {
		return fmt.Errorf("autoimport: schema of workspace %s: %w", fr.ws, err)
	}
	fr.schema = s
	return nil
}

// resolve makes sure every name has a key, creating custom fields for new
// names in sorted order (so collisions resolve the same way everywhere).
func (fr *fieldResolver) resolve(ctx context.Context, names []string) error {
	var todo []string
	for _, n := range names {
		if _, ok := fr.keys[n]; !ok {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	slices.Sort(todo)
	for _, name := range todo {
		tag, err := fr.claim(ctx, name)
		if err != nil {
			return err
		}
		key, created, err := fr.r.cfg.Fields.EnsureField(ctx, fr.ws, tag, name)
		if err != nil {
			return fmt.Errorf("autoimport: custom field %s: %w", tag, err)
		}
		if created {
			fr.rec.FieldsCreated = append(fr.rec.FieldsCreated, key)
		}
		fr.keys[name] = key
	}
	if err := fr.reloadSchema(ctx); err != nil {
		return err
	}
	for _, name := range todo {
		if fr.schema.Index(fr.keys[name]) < 0 {
			return fmt.Errorf("autoimport: field %q of the catalogue is not in the schema of workspace %s", fr.keys[name], fr.ws)
		}
	}
	return nil
}

// claim returns the tag of a field name, claiming a new one in the
// registry if the name has none: Tag(name), or Tag(name)_2, _3, … when
// another name of the service has it.
func (fr *fieldResolver) claim(ctx context.Context, name string) (string, error) {
	if tag, ok := fr.tags[name]; ok {
		return tag, nil
	}
	base := Tag(name)
	for n := 1; n <= 1000; n++ {
		cand := base
		if n > 1 {
			cand = suffixTag(base, n)
		}
		if fr.taken(cand) {
			continue
		}
		got, err := fr.r.cfg.State.ClaimTag(ctx, fr.ws, fr.service, name, cand)
		if errors.Is(err, ErrTagTaken) {
			// Another run claimed it meanwhile: read the registry again.
			tags, err := fr.r.cfg.State.FieldTags(ctx, fr.ws, fr.service)
			if err != nil {
				return "", fmt.Errorf("autoimport: field registry: %w", err)
			}
			maps.Copy(fr.tags, tags)
			if tag, ok := fr.tags[name]; ok {
				return tag, nil
			}
			continue
		}
		if err != nil {
			return "", fmt.Errorf("autoimport: claiming tag %s: %w", cand, err)
		}
		fr.tags[name] = got
		return got, nil
	}
	return "", fmt.Errorf("autoimport: no free personalization tag for field %q", name)
}

func (fr *fieldResolver) taken(tag string) bool {
	for _, t := range fr.tags {
		if t == tag {
			return true
		}
	}
	return false
}

// prepare turns a page's records into an import job. Its columns are the
// union of the records' field names; a record without one of them has an
// empty cell there, which the importer never uses to erase a value.
func (fr *fieldResolver) prepare(ctx context.Context, def *Definition, recs []Record, contacts importer.Store) (*pageJob, error) {
	if err := fr.load(ctx); err != nil {
		return nil, err
	}
	all := make(map[string]bool)
	for _, x := range recs {
		for n := range x.Fields {
			if n != "" {
				all[n] = true
			}
		}
	}
	names := slices.Sorted(maps.Keys(all))
	if err := fr.resolve(ctx, names); err != nil {
		return nil, err
	}
	schema, extKey := fr.importSchema()
	ei := schema.ByRole(mapping.RoleEmail)
	if ei < 0 {
		return nil, fmt.Errorf("autoimport: the schema of workspace %s has no e-mail field", fr.ws)
	}
	emailKey := schema.Fields[ei].Key
	job := fr.newJob(schema, extKey, emailKey, names)
	job.Contacts = contacts
	job.Records = recs
	job.ExternalIDs = make([]string, len(recs))
	for i, x := range recs {
		job.ExternalIDs[i] = fr.r.cfg.ExternalID(def, x.ID)
	}
	return job, nil
}

// newJob builds the header and mapping of records with these field names.
// Every job has an e-mail column (empty when the records have no e-mail
// field, so they are skipped with the importer's reason) and an external
// ID column. A field fed by a standard name is not fed again by another
// name that resolves to it.
func (fr *fieldResolver) newJob(schema *mapping.Schema, extKey, emailKey string, names []string) *pageJob {
	job := &pageJob{Schema: schema}
	m := &mapping.Mapping{}
	used := map[string]bool{extKey: true} // only the external ID column feeds it
	add := func(header, key string, name string) {
		if key != "" && used[key] && name != "\x00ext" {
			key = ""
		}
		if key != "" {
			used[key] = true
		}
		m.Columns = append(m.Columns, mapping.Column{Index: len(m.Columns), Header: header, Field: key})
		job.Header = append(job.Header, header)
		job.names = append(job.names, name)
	}
	// Standard names first, so they win over custom names.
	var std, custom []string
	for _, n := range names {
		if _, ok := fr.info.Fields[n]; ok && fr.keys[n] != "" {
			std = append(std, n)
		} else {
			custom = append(custom, n)
		}
	}
	for _, n := range std {
		add(n, fr.keys[n], n)
	}
	for _, n := range custom {
		add(n, fr.keys[n], n)
	}
	if !used[emailKey] {
		// No e-mail field in these records: an empty e-mail column.
		add(schema.Fields[schema.Index(emailKey)].Label, emailKey, "")
	}
	add(externalIDHeader, extKey, "\x00ext")
	job.names[len(job.names)-1] = ""
	m.Fingerprint = mapping.Fingerprint(job.Header)
	job.Mapping = m
	return job
}

// importSchema returns the schema for the importer: the workspace's, with
// a field for the external ID when it has none, and no field required but
// the e-mail (an automatic import cannot fill a form's required fields).
func (fr *fieldResolver) importSchema() (*mapping.Schema, string) {
	s := &mapping.Schema{Fields: slices.Clone(fr.schema.Fields)}
	for i := range s.Fields {
		if s.Fields[i].Role != mapping.RoleEmail {
			s.Fields[i].Required = false
		}
	}
	if i := s.ByRole(mapping.RoleExternalID); i >= 0 {
		return s, s.Fields[i].Key
	}
	key := "external_id"
	for n := 2; s.Index(key) >= 0; n++ {
		key = fmt.Sprintf("external_id_%d", n)
	}
	s.Fields = append(s.Fields, mapping.Field{Key: key, Label: "External ID", Kind: validate.Text, Role: mapping.RoleExternalID})
	return s, key
}
