package memstate

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// Fields is the in-memory autoimport.FieldCatalog: every workspace starts
// with a copy of a base schema and gets its own custom fields. It is safe
// for concurrent use.
type Fields struct {
	mu   sync.Mutex
	base *mapping.Schema
	tags map[string]string // tags of the base fields, by key
	ws   map[string]*catalog
}

type catalog struct {
	schema *mapping.Schema
	byTag  map[string]string // tag → key
	tagOf  map[string]string // key → tag
}

var _ autoimport.FieldCatalog = (*Fields)(nil)

// NewFields returns a catalogue whose workspaces start with base (nil means
// mapping.DefaultSchema()). tags gives base fields their personalization
// tags by key; a field without one is tagged autoimport.Tag(key).
func NewFields(base *mapping.Schema, tags map[string]string) *Fields {
	if base == nil {
		base = mapping.DefaultSchema()
	}
	t := make(map[string]string, len(base.Fields))
	for _, f := range base.Fields {
		t[f.Key] = autoimport.Tag(f.Key)
	}
	for k, v := range tags {
		t[k] = v
	}
	return &Fields{base: cloneSchema(base), tags: t, ws: make(map[string]*catalog)}
}

func cloneSchema(s *mapping.Schema) *mapping.Schema {
	c := &mapping.Schema{Fields: slices.Clone(s.Fields)}
	for i := range c.Fields {
		c.Fields[i].Aliases = slices.Clone(c.Fields[i].Aliases)
		c.Fields[i].Rules.Options = slices.Clone(c.Fields[i].Rules.Options)
		c.Fields[i].Rules.Layouts = slices.Clone(c.Fields[i].Rules.Layouts)
	}
	return c
}

func (f *Fields) catalog(ws string) *catalog {
	c := f.ws[ws]
	if c == nil {
		c = &catalog{schema: cloneSchema(f.base), byTag: make(map[string]string), tagOf: make(map[string]string)}
		for k, t := range f.tags {
			c.byTag[t] = k
			c.tagOf[k] = t
		}
		f.ws[ws] = c
	}
	return c
}

// Schema implements autoimport.FieldCatalog.
func (f *Fields) Schema(ctx context.Context, workspace string) (*mapping.Schema, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return cloneSchema(f.catalog(workspace).schema), nil
}

// EnsureField implements autoimport.FieldCatalog. A new field's key is the
// tag in lower case, with a numeric suffix if the workspace has that key.
func (f *Fields) EnsureField(ctx context.Context, workspace, tag, label string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.catalog(workspace)
	if k, ok := c.byTag[tag]; ok {
		return k, false, nil
	}
	base := strings.ToLower(tag)
	key := base
	for n := 2; c.schema.Index(key) >= 0; n++ {
		key = base + "_" + strconv.Itoa(n)
	}
	c.schema.Fields = append(c.schema.Fields, mapping.Field{Key: key, Label: label, Kind: validate.Text})
	c.byTag[tag] = key
	c.tagOf[key] = tag
	return key, true, nil
}

// AddField adds a field with a tag to a workspace, as a person would in the
// host's settings. It replaces a field with the same key.
func (f *Fields) AddField(workspace string, field mapping.Field, tag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.catalog(workspace)
	if i := c.schema.Index(field.Key); i >= 0 {
		delete(c.byTag, c.tagOf[field.Key])
		c.schema.Fields[i] = field
	} else {
		c.schema.Fields = append(c.schema.Fields, field)
	}
	c.byTag[tag] = field.Key
	c.tagOf[field.Key] = tag
}

// Relabel changes a field's label, as a person would. It reports whether
// the workspace has the field.
func (f *Fields) Relabel(workspace, key, label string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.catalog(workspace)
	i := c.schema.Index(key)
	if i < 0 {
		return false
	}
	c.schema.Fields[i].Label = label
	return true
}

// Tags returns a workspace's fields' tags by key.
func (f *Fields) Tags(workspace string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.catalog(workspace)
	out := make(map[string]string, len(c.tagOf))
	for k, t := range c.tagOf {
		out[k] = t
	}
	return out
}

// Presence is the in-memory autoimport.Presence: it remembers, per import,
// the last sweep that returned each external ID and which ones are gone.
// It is safe for concurrent use.
type Presence struct {
	mu  sync.Mutex
	ids map[autoimport.Ref]map[string]*seen
}

type seen struct {
	sweep int64
	gone  bool
}

var _ autoimport.Presence = (*Presence)(nil)

// NewPresence returns an empty Presence.
func NewPresence() *Presence {
	return &Presence{ids: make(map[autoimport.Ref]map[string]*seen)}
}

// Present implements autoimport.Presence.
func (p *Presence) Present(ctx context.Context, ref autoimport.Ref, sweep int64, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.ids[ref]
	if m == nil {
		m = make(map[string]*seen)
		p.ids[ref] = m
	}
	for _, id := range ids {
		s := m[id]
		if s == nil {
			s = &seen{}
			m[id] = s
		}
		if sweep >= s.sweep {
			s.sweep, s.gone = sweep, false
		}
	}
	return nil
}

// MarkGone implements autoimport.Presence.
func (p *Presence) MarkGone(ctx context.Context, ref autoimport.Ref, sweep int64) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.ids[ref] {
		if s.sweep < sweep && !s.gone {
			s.gone = true
			n++
		}
	}
	return n, nil
}

// Gone returns the external IDs of the import marked gone, sorted.
func (p *Presence) Gone(ref autoimport.Ref) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for id, s := range p.ids[ref] {
		if s.gone {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}
