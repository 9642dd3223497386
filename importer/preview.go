package importer

import (
	"strings"

	"github.com/contactkit/contactkit/mapping"
)

// previewer keeps the first n contacts written, field key to value.
type previewer struct {
	n      int
	fields []fieldRule
	rows   []map[string]string
}

func (p *previewer) add(rw *row, _ bool) {
	if p == nil || len(p.rows) >= p.n {
		return
	}
	c := &rw.c
	m := make(map[string]string, len(p.fields))
	for i, f := range p.fields {
		var v string
		switch f.role {
		case mapping.RoleEmail:
			v = c.Email
		case mapping.RolePhone:
			v = c.Phone
		case mapping.RoleExternalID:
			v = c.ExternalID
		case mapping.RoleTags:
			v = strings.Join(c.Tags, "|")
		case mapping.RoleStatus:
			v = string(c.Status)
		case mapping.RoleAccount:
			v = rw.account
		default:
			if rw.vals != nil {
				v = rw.vals[i]
			}
		}
		if v != "" {
			m[f.key] = v
		}
	}
	p.rows = append(p.rows, m)
}
