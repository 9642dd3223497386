package importer

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// The validating stage: each record mapped to the schema's fields, every
// value checked by its rule, the row turned into a contact draft and its
// problems. It runs in the producer, spread over the workers.

// validateAll maps and validates every row, spread over the workers.
func (r *run) validateAll(batch []*row) {
	w := min(r.workers, (len(batch)+63)/64)
	if w <= 1 {
		vals := make([]mapping.Value, len(r.fields))
		for _, rw := range batch {
			vals = r.validate(rw, vals)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (len(batch) + w - 1) / w
	for i := 0; i < len(batch); i += chunk {
		part := batch[i:min(i+chunk, len(batch))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			vals := make([]mapping.Value, len(r.fields))
			for _, rw := range part {
				vals = r.validate(rw, vals)
			}
		}()
	}
	wg.Wait()
}

// validate turns one record into a contact draft and its problems.
func (r *run) validate(rw *row, vals []mapping.Value) []mapping.Value {
	if rw.readErr != nil {
		rw.problems = append(rw.problems, toProblem(rw.readErr, ActionRejected))
		return vals
	}
	vals = r.plan.Apply(rw.rec, vals)
	for i := range r.fields {
		fr := &r.fields[i]
		v := vals[i]
		if v.State == mapping.Absent {
			continue
		}
		raw := v.Raw
		if v.State == mapping.Empty || strings.TrimSpace(raw) == "" {
			if fr.required {
				r.reject(rw, Problem{Column: v.Column, Field: fr.key, Code: CodeRequired,
					Message: fmt.Sprintf("%s is required", fr.key)})
			}
			continue
		}
		if r.cfg.ClearToken != "" && strings.TrimSpace(raw) == r.cfg.ClearToken {
			if fr.required || fr.matchKey {
				r.reject(rw, Problem{Column: v.Column, Field: fr.key, Code: CodeClearRequired, Value: raw,
					Message: fmt.Sprintf("%s cannot be cleared", fr.key)})
				continue
			}
			rw.clears = append(rw.clears, clearName(fr))
			continue
		}
		var res validate.Result
		var err error
		if fr.role == mapping.RolePhone && r.country >= 0 && vals[r.country].State == mapping.Present {
			res, err = fr.rule.CheckRegion(raw, vals[r.country].Raw)
		} else {
			res, err = fr.rule.Check(raw)
		}
		if err != nil {
			p := Problem{Column: v.Column, Field: fr.key, Code: validate.CodeOf(err), Value: raw, Message: err.Error()}
			var ve *validate.Error
			if errors.As(err, &ve) {
				p.Message, p.Suggestion = ve.Message, ve.Suggestion
			}
			if r.cfg.Strict || fr.required || fr.matchKey {
				r.reject(rw, p)
			} else {
				p.Action = ActionDropped
				rw.problems = append(rw.problems, p)
			}
			continue
		}
		if res.Warning != nil {
			rw.problems = append(rw.problems, Problem{Column: v.Column, Field: fr.key, Code: res.Warning.Code,
				Value: raw, Message: res.Warning.Message, Suggestion: res.Warning.Suggestion, Action: ActionWarning})
		}
		r.ent.assign(rw, i, res)
	}
	if !rw.rejected {
		r.ent.identify(rw)
	}
	return vals
}

// setValue keeps the valid value of ordinary field i in rw.vals.
func (r *run) setValue(rw *row, i int, v string) {
	if rw.vals == nil {
		rw.vals = make([]string, len(r.fields))
	}
	rw.vals[i] = v
}

// assign is a contact import's: a dedicated part of the contact (the
// contactParts table), its tags, its account name, or an ordinary field.
func (ci contactImport) assign(rw *row, i int, res validate.Result) {
	fr := &ci.fields[i]
	if fr.part != nil {
		fr.part.set(&rw.c, res.Value)
		return
	}
	switch fr.role {
	case mapping.RoleTags:
		rw.c.Tags = res.Values
		if rw.c.Tags == nil {
			rw.c.Tags = []string{res.Value}
		}
	case mapping.RoleAccount:
		rw.account = res.Value
	default:
		ci.setValue(rw, i, res.Value)
	}
}

// identify rejects a contact row without any match key.
func (ci contactImport) identify(rw *row) {
	for _, k := range ci.keys {
		if rw.key(k) != "" {
			return
		}
	}
	ci.reject(rw, Problem{Code: CodeNoMatchKey, Field: string(ci.keys[0]),
		Message: fmt.Sprintf("the row has no %s to identify the contact", keyNames(ci.keys))})
}

func keyNames(keys []KeyKind) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}

// clearName is the Update.Clear name of the field a ClearToken erases.
func clearName(fr *fieldRule) string {
	if fr.role == mapping.RoleAccount {
		return ClearAccount
	}
	if fr.part != nil && fr.part.clear != "" {
		return fr.part.clear
	}
	return fr.key
}

func (r *run) reject(rw *row, p Problem) {
	p.Action = ActionRejected
	rw.rejected = true
	rw.problems = append(rw.problems, p)
}

func toProblem(e *RowError, a Action) Problem {
	p := Problem{Line: e.Line, Column: e.Column, Field: e.Field, Code: e.Code, Value: e.Value, Action: a}
	if e.Err != nil {
		p.Message = e.Err.Error()
	} else {
		p.Message = e.Error()
	}
	return p
}
