package mapping

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// Mapping says where each column of a file goes. It is plain data: the host
// shows it, lets people edit it, stores it as JSON and re-applies it to the
// next file whose header has the same Fingerprint (see Suggester.Saved).
// Compile checks it against a Schema and returns the Plan that applies it
// to rows.
type Mapping struct {
	// Columns has one entry per file column, in file order:
	// Columns[i].Index == i.
	Columns []Column `json:"columns"`
	// Constants give fields a value for every row: a contact type, a
	// category, a segment, tags. For a multi-valued field (tags) the
	// constants are added to the file's values; a single-valued field fed
	// by a constant must not also be fed by a column.
	Constants []Constant `json:"constants,omitempty"`
	// Fingerprint is the Fingerprint of the header the mapping was made
	// for.
	Fingerprint string `json:"fingerprint"`
}

// Column is one file column and the field it goes to. Confidence, Match,
// Reason and Warnings are set by Suggest to explain the suggestion; they
// play no part in Compile.
type Column struct {
	// Index is the column's 0-based position in the file.
	Index int `json:"index"`
	// Header is the column's header cell as it is in the file.
	Header string `json:"header"`
	// Field is the key of the schema field the column goes to; "" means
	// the column is not imported.
	Field string `json:"field,omitempty"`
	// Transform changes the cell before it is stored; the zero Transform
	// keeps it as it is.
	Transform Transform `json:"transform,omitzero"`

	// Confidence is how sure Suggest is of Field, from 0 to 1.
	Confidence float64 `json:"confidence,omitempty"`
	// Match says how Suggest chose Field.
	Match Match `json:"match,omitempty"`
	// Reason says why, in English, for people.
	Reason string `json:"reason,omitempty"`
	// Warnings are what Suggest found worth showing (repeated groups,
	// values that contradict the header, …), each with a stable code.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is something Suggest wants people to know about a column.
type Warning struct {
	// Code is the stable reason, one of the suggest.* codes.
	Code validate.Code `json:"code"`
	// Message is a sentence for people, in English.
	Message string `json:"message"`
}

// Constant is a value a field gets in every row.
type Constant struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Op is a transform operation.
type Op string

// The transforms a column can have.
const (
	// OpNone keeps the cell as it is.
	OpNone Op = ""
	// OpTrim removes leading and trailing white space.
	OpTrim Op = "trim"
	// OpFirst keeps the first of several values separated by Sep (default
	// ":::", as in Google Contacts exports: "a@x.com ::: b@y.com").
	OpFirst Op = "first"
	// OpSplit reads a cell of several values separated by Sep (default
	// ":::") into a multi-valued field, whose values it rejoins with the
	// field's separator.
	OpSplit Op = "split"
	// OpSplitName splits a full name into given names, which go to the
	// column's Field, and a family name, which goes to Transform.Field:
	// "Jane Doe", "Doe, Jane", "Dr. Jane van der Berg" (family "van der
	// Berg"), "John Smith Jr." (family "Smith Jr.").
	OpSplitName Op = "split_name"
	// OpJoin lets several columns feed one single-valued field (address
	// lines): their non-empty values are joined in file order with Sep
	// (default ", "). Every column of that field must have OpJoin.
	OpJoin Op = "join"
	// OpMap replaces the cell by the value Values gives for it, matched
	// case-insensitively after trimming, the key "*" standing for any
	// other non-empty cell; a cell Values does not name is kept, a cell
	// mapped to "" is empty. It reads status columns: {"true":
	// "unsubscribed", "false": ""} for an "unsubscribed" column, {"*": "unsubscribed"} for Mailchimp's
	// UNSUB_TIME, {"active": "subscribed", "inactive": "unsubscribed"} for
	// beehiiv's status.
	OpMap Op = "map"
	// OpDatePart makes the column one part (Part: "year", "month" or
	// "day") of a date split over several columns (Thunderbird's Birth
	// Year, Birth Month, Birth Day): the parts are combined into
	// yyyy-mm-dd, or --mm-dd without a year (a birthday). Every column of
	// that field must have OpDatePart, each part at most once, month and
	// day among them.
	OpDatePart Op = "date_part"
)

// Transform changes a cell before it is stored. The zero Transform keeps
// the cell.
type Transform struct {
	Op Op `json:"op,omitempty"`
	// Sep is the separator of OpFirst, OpSplit and OpJoin; empty means
	// the operation's default.
	Sep string `json:"sep,omitempty"`
	// Field is the key of the field that takes the family name with
	// OpSplitName.
	Field string `json:"field,omitempty"`
	// Fallback makes the column fill its single-valued field only in rows
	// where the field's columns without Fallback leave it empty; several
	// fallback columns are tried in file order. A second and third e-mail
	// column, or a full name split into first and last name beside their
	// own columns, are fallbacks.
	Fallback bool `json:"fallback,omitempty"`
	// DateOrder is the order of day and month of the column's n/n/yyyy
	// dates (validate.OrderDayFirst or validate.OrderMonthFirst), decided
	// by Suggest from the values; zero reads each value as the field's
	// rules say. It applies to a Date field without Layouts.
	DateOrder validate.DateOrder `json:"date_order,omitempty"`
	// Values is the table of OpMap.
	Values map[string]string `json:"values,omitempty"`
	// Part is the part of OpDatePart: "year", "month" or "day".
	Part string `json:"part,omitempty"`
}

func (t Transform) sep() string {
	if t.Sep != "" {
		return t.Sep
	}
	if t.Op == OpJoin {
		return ", "
	}
	return multiSep
}

// NewMapping returns a mapping of header that imports nothing: one Column
// per header cell, without fields, and the header's Fingerprint.
func NewMapping(header []string) *Mapping {
	m := &Mapping{Columns: make([]Column, len(header)), Fingerprint: Fingerprint(header)}
	for i, h := range header {
		m.Columns[i] = Column{Index: i, Header: h}
	}
	return m
}

// Clone returns a deep copy of m.
func (m *Mapping) Clone() *Mapping {
	c := &Mapping{Columns: slices.Clone(m.Columns), Constants: slices.Clone(m.Constants), Fingerprint: m.Fingerprint}
	for i := range c.Columns {
		c.Columns[i].Warnings = slices.Clone(c.Columns[i].Warnings)
		c.Columns[i].Transform.Values = maps.Clone(c.Columns[i].Transform.Values)
	}
	return c
}

// Fits reports whether m was made for header: same Fingerprint and one
// column per header cell.
func (m *Mapping) Fits(header []string) bool {
	return len(m.Columns) == len(header) && m.Fingerprint == Fingerprint(header)
}

// Compile checks m against s and returns the Plan that applies it to
// rows. It fails if s is invalid (the error of s.Validate) or if m cannot
// work: columns out of order (CodeColumn), a field key the schema does not
// have (ErrUnknownField), a transform that is unknown or does not fit its
// field (ErrTransform), two sources for one single-valued field
// (ErrDuplicateField), a constant for the e-mail field (CodeConstant), no
// column for the e-mail field (ErrNoEmail), a required field that nothing
// fills (ErrMissingRequired). All problems are returned, as *Error values
// joined with errors.Join.
func (m *Mapping) Compile(s *Schema) (*Plan, error) {
	rules, err := s.compile()
	if err != nil {
		return nil, err
	}
	var errs []error
	add := func(code validate.Code, field string, col int, format string, args ...any) {
		errs = append(errs, &Error{Code: code, Field: field, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	p := &Plan{schema: s, rules: rules, fields: make([]fieldPlan, len(s.Fields)), width: len(m.Columns)}
	joins := make([]int, len(s.Fields))                 // columns with OpJoin per field
	orders := make([]validate.DateOrder, len(s.Fields)) // the first column's date order per field
	parts := make([]int, len(s.Fields))                 // columns with OpDatePart per field
	for i, c := range m.Columns {
		if c.Index != i {
			add(CodeColumn, c.Field, i+1, "column %d has index %d; columns must be in file order", i+1, c.Index)
			continue
		}
		if c.Field == "" {
			if c.Transform.Op == OpSplitName && c.Transform.Field != "" {
				add(CodeTransform, c.Transform.Field, i+1, "%s splits a name but has no field for the given names", colText(i+1))
			}
			continue
		}
		fi := s.Index(c.Field)
		if fi < 0 {
			add(CodeUnknownField, c.Field, i+1, "%s goes to field %q, which the schema does not have", colText(i+1), c.Field)
			continue
		}
		f := &s.Fields[fi]
		src := source{col: i, op: c.Transform.Op, sep: c.Transform.sep(), fallback: c.Transform.Fallback}
		if c.Transform.Fallback && (f.Multi() || c.Transform.Op == OpJoin || c.Transform.Op == OpSplit) {
			add(CodeTransform, f.Key, i+1, "%s is a fallback of field %q, which takes several values or joins them", colText(i+1), f.Key)
			continue
		}
		if o := c.Transform.DateOrder; o != validate.OrderUnknown {
			if f.kind() != validate.Date || o != validate.OrderDayFirst && o != validate.OrderMonthFirst {
				add(CodeTransform, f.Key, i+1, "%s has the date order %q, which field %q cannot use", colText(i+1), o, f.Key)
				continue
			}
			if orders[fi] == validate.OrderUnknown {
				orders[fi] = o
			}
		}
		switch c.Transform.Op {
		case OpNone, OpTrim, OpFirst:
		case OpDatePart:
			if f.kind() != validate.Date || c.Transform.Part != PartYear && c.Transform.Part != PartMonth && c.Transform.Part != PartDay {
				add(CodeTransform, f.Key, i+1, "%s is part %q of a date, but field %q is no date or the part is not year, month or day", colText(i+1), c.Transform.Part, f.Key)
				continue
			}
			src.datePart = c.Transform.Part
			parts[fi]++
		case OpMap:
			if len(c.Transform.Values) == 0 || f.Multi() {
				add(CodeTransform, f.Key, i+1, "%s maps values but has no table, or field %q takes several values", colText(i+1), f.Key)
				continue
			}
			src.values = make(map[string]string, len(c.Transform.Values))
			for k, v := range c.Transform.Values {
				src.values[foldCell(strings.TrimSpace(k))] = v
			}
		case OpSplit:
			if !f.Multi() {
				add(CodeTransform, f.Key, i+1, "%s splits values but field %q holds one value", colText(i+1), f.Key)
				continue
			}
			src.to = f.separator()
		case OpJoin:
			if f.Multi() || f.Role == RoleEmail {
				add(CodeTransform, f.Key, i+1, "%s joins values into field %q, which cannot take joined values", colText(i+1), f.Key)
				continue
			}
			joins[fi]++
		case OpSplitName:
			li := s.Index(c.Transform.Field)
			switch {
			case li < 0:
				add(CodeTransform, c.Transform.Field, i+1, "%s splits a name into field %q, which the schema does not have", colText(i+1), c.Transform.Field)
				continue
			case li == fi || !nameKind(f) || !nameKind(&s.Fields[li]):
				add(CodeTransform, c.Transform.Field, i+1, "%s splits a name into fields %q and %q, which must be two text fields", colText(i+1), f.Key, c.Transform.Field)
				continue
			}
			src.part = partGiven
			p.fields[li].srcs = append(p.fields[li].srcs, source{col: i, op: OpSplitName, part: partFamily, fallback: c.Transform.Fallback})
		default:
			add(CodeTransform, f.Key, i+1, "%s has an unknown transform %q", colText(i+1), c.Transform.Op)
			continue
		}
		p.fields[fi].srcs = append(p.fields[fi].srcs, src)
	}
	for _, k := range m.Constants {
		fi := s.Index(k.Field)
		if fi < 0 {
			add(CodeUnknownField, k.Field, 0, "a constant goes to field %q, which the schema does not have", k.Field)
			continue
		}
		f := &s.Fields[fi]
		if f.Role == s.KeyRole() {
			add(CodeConstant, f.Key, 0, "field %q cannot have a constant", f.Key)
			continue
		}
		fp := &p.fields[fi]
		switch {
		case !fp.hasConst:
			fp.konst, fp.hasConst = k.Value, true
		case f.Multi():
			fp.konst += f.separator() + k.Value
		default:
			add(CodeDuplicateField, f.Key, 0, "field %q has two constants", f.Key)
		}
	}
	for i := range p.fields {
		f, fp := &s.Fields[i], &p.fields[i]
		n := len(fp.srcs)
		if f.Role == RoleEmail && n == 0 && s.Entity == EntityContact {
			add(CodeNoEmail, f.Key, 0, "no column goes to the e-mail field %q; a file without e-mail addresses cannot be imported", f.Key)
		} else if f.Role == RoleAccount && n == 0 && s.Entity == EntityAccount {
			add(CodeNoKey, f.Key, 0, "no column goes to the account name field %q; a file without account names cannot be imported", f.Key)
		} else if f.Required && n == 0 && !fp.hasConst {
			add(CodeMissingRequired, f.Key, 0, "the required field %q is filled by no column or constant", f.Key)
		}
		fallbacks := 0
		for _, src := range fp.srcs {
			if src.fallback {
				fallbacks++
			}
		}
		if fallbacks > 0 {
			// The columns without Fallback first, then the fallbacks, each in file order.
			slices.SortStableFunc(fp.srcs, func(a, b source) int {
				if a.fallback == b.fallback {
					return 0
				}
				if a.fallback {
					return 1
				}
				return -1
			})
		}
		switch {
		case f.Multi():
			fp.multi, fp.join = true, f.separator()
		case n > 1 && joins[i] == n:
			fp.join = fp.srcs[0].sep
		case parts[i] > 0:
			seen := map[string]bool{}
			for _, src := range fp.srcs {
				if src.op != OpDatePart || seen[src.datePart] {
					add(CodeTransform, f.Key, src.col+1, "field %q takes the parts of a date: every column must be a different part", f.Key)
					break
				}
				seen[src.datePart] = true
			}
			if !seen[PartMonth] || !seen[PartDay] || fp.hasConst {
				add(CodeTransform, f.Key, fp.srcs[0].col+1, "field %q takes the parts of a date but has no month or day column, or a constant", f.Key)
			}
			fp.dateParts = true
		case fallbacks > 0 && n-fallbacks <= 1 && !fp.hasConst:
			fp.fallback = true
		case n > 1:
			cols := make([]string, n)
			for k, s := range fp.srcs {
				cols[k] = fmt.Sprint(s.col + 1)
			}
			add(CodeDuplicateField, f.Key, fp.srcs[1].col+1, "field %q is fed by columns %v; a single-valued field takes one column (or several with the join transform)", f.Key, cols)
		case n == 1 && fp.hasConst:
			add(CodeDuplicateField, f.Key, fp.srcs[0].col+1, "field %q is fed by %s and by a constant", f.Key, colText(fp.srcs[0].col+1))
		}
	}
	for i, o := range orders {
		if o == validate.OrderUnknown || len(s.Fields[i].Rules.Layouts) > 0 || p.rules == nil {
			continue
		}
		r := s.Fields[i].Rules
		r.DateOrder = o
		rule, err := validate.New(s.Fields[i].kind(), r)
		if err != nil {
			add(CodeTransform, s.Fields[i].Key, 0, "field %q: %v", s.Fields[i].Key, err)
			continue
		}
		p.rules[i] = rule
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// nameKind reports whether f can take part of a name.
func nameKind(f *Field) bool { return f.kind() == validate.Text }
