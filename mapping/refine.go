package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// This file holds what Suggest decides from a column's values once the
// columns have their fields: the order of day and month of a date column,
// the separator of a multi-value column, the reading of a status column,
// year, month and day columns combined into one date.

// fallbackRole reports whether a candidate that lost its field to another
// column feeds it as a fallback instead of being left out: a further
// e-mail column, or a full name split into first and last name.
func fallbackRole(s *Schema, c *candidate) bool {
	f := &s.Fields[c.field]
	if f.Multi() || c.tr.Op == OpJoin || c.tr.Op == OpSplit {
		return false
	}
	if c.split >= 0 {
		return c.tr.Op == OpSplitName
	}
	return f.Role == RoleEmail
}

// chosen returns the candidate of column i that its field came from.
func chosen(cands []candidate, s *Schema, field string) *candidate {
	for k := range cands {
		if s.Fields[cands[k].field].Key == field {
			return &cands[k]
		}
	}
	return nil
}

// refine completes the transforms of the mapped columns from their values.
func (g *Suggester) refine(sug *Suggestion, cands [][]candidate, cols []colInfo, s *Schema) {
	g.combineDateParts(sug, cands, s)
	for i := range sug.Mapping.Columns {
		col := &sug.Mapping.Columns[i]
		fi := s.Index(col.Field)
		if col.Field == "" || fi < 0 {
			continue
		}
		f := &s.Fields[fi]
		c := &cols[i]
		switch {
		case f.kind() == validate.Date && len(f.Rules.Layouts) == 0 && col.Transform.Op != OpDatePart:
			g.dateOrder(col, c)
		case f.Multi() && col.Transform.Op == OpNone:
			if sep := detectSeparator(c.cells, f.separator()); sep != "" {
				col.Transform = Transform{Op: OpSplit, Sep: sep}
				col.Warnings = append(col.Warnings, Warning{Code: CodeMultiValue,
					Message: fmt.Sprintf("cells hold several values separated by %q; all are imported", sep)})
			}
		case f.Role == RoleStatus && col.Transform.Op == OpNone:
			concept := ""
			if cand := chosen(cands[i], s, col.Field); cand != nil {
				concept = cand.concept
			}
			if t, msg := statusTransform(f, concept, c); t != nil {
				col.Transform = Transform{Op: OpMap, Values: t}
				col.Warnings = append(col.Warnings, Warning{Code: CodeStatusMapped, Message: msg})
			}
		}
	}
}

// dateOrder sets the column's order of day and month from its values.
func (g *Suggester) dateOrder(col *Column, c *colInfo) {
	switch o := validate.DetectDateOrder(c.values); o {
	case validate.OrderDayFirst, validate.OrderMonthFirst:
		col.Transform.DateOrder = o
		col.Reason += fmt.Sprintf("; dates read %s, as the values that only read one way say", o)
	case validate.OrderAmbiguous:
		pick := validate.OrderDayFirst
		if validate.MonthFirstRegion(g.Region) {
			pick = validate.OrderMonthFirst
		}
		col.Transform.DateOrder = pick
		region := g.Region
		if region == "" {
			region = "none given"
		}
		col.Warnings = append(col.Warnings, Warning{Code: CodeDateOrder,
			Message: fmt.Sprintf("every sample date reads both day first and month first (03/04/2020); read %s, the order of the region (%s)", pick, region)})
	case validate.OrderConflict:
		col.Warnings = append(col.Warnings, Warning{Code: CodeValuesMixed,
			Message: "some sample dates only read day first, others only month first; each date is read the one way it is real"})
	}
}

// multiSeps are the separators of multi-value cells, in the order they win
// a tie.
var multiSeps = []string{multiSep, "|", ";", ","}

// detectSeparator returns the separator of a column of multi-value cells
// (Shopify's "vip, customer", Outlook's "Customers;VIP", Mailchimp's
// "\"Lorem Editors\",\"Beta\""), or "" when the cells have none, or only
// the field's own separator own.
func detectSeparator(cells []string, own string) string {
	best, bestN := "", 0
	for _, sep := range multiSeps {
		n := 0
		for _, v := range cells {
			if strings.Contains(v, sep) {
				n++
			}
		}
		if n > bestN {
			best, bestN = sep, n
		}
	}
	quoted := false
	for _, v := range cells {
		if len(v) > 1 && v[0] == '"' && strings.Contains(v, `","`) {
			quoted = true
		}
	}
	if quoted && best == "" {
		best = ","
	}
	if best == own && !quoted {
		return ""
	}
	if best == "" && slices.ContainsFunc(cells, isSystemGroup) {
		return own
	}
	return best
}

// The words of status columns, by what they mean, lower case.
var (
	statusIn = words(`subscribed, subscribe, active, yes, y, true, t, 1, opted in, opted-in, opt in, opt-in, optin, confirmed,
		ja, oui, sí, si, sim, tak, wahr, vrai, abonniert, abonné, inscrit, suscrito, iscritto, ingeschreven`)
	statusOut = words(`unsubscribed, unsubscribe, inactive, opted out, opted-out, opt out, opt-out, optout, cancelled, canceled,
		abgemeldet, désabonné, désinscrit, dado de baja, disiscritto, uitgeschreven`)
	statusNever = words(`no, n, false, f, 0, nein, non, não, nao, nee, nie, never, none, not subscribed, never subscribed`)
)

func words(list string) []string {
	var out []string
	for _, w := range strings.Split(list, ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// isStatusWord reports whether v is a word of a status column.
func isStatusWord(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return slices.Contains(statusIn, v) || slices.Contains(statusOut, v) || slices.Contains(statusNever, v)
}

// statusOption returns the option of status field f that means what the
// words of class mean (by its ID, label or synonyms), or "".
func statusOption(f *Field, class []string) string {
	if f.kind() == validate.Boolean {
		if slices.Equal(class, statusIn) {
			return "true"
		}
		return "false"
	}
	for _, o := range f.Rules.Options {
		for _, name := range append([]string{o.ID, o.Label}, o.Synonyms...) {
			if name != "" && slices.Contains(class, strings.ToLower(name)) {
				return o.ID
			}
		}
	}
	return ""
}

// statusTransform returns the OpMap table that reads a status column as
// the options of f, and why; nil when the column's values are the options
// already.
func statusTransform(f *Field, concept string, c *colInfo) (map[string]string, string) {
	in, out, never := statusOption(f, statusIn), statusOption(f, statusOut), statusOption(f, statusNever)
	switch concept {
	case "status_unsub_time":
		if out == "" {
			return nil, ""
		}
		return map[string]string{"*": out}, fmt.Sprintf("a filled cell means the person unsubscribed (%q)", out)
	case "status_inverted":
		// "Not unsubscribed" says nothing of consent: the flag comes from
		// CRMs (Salesforce's Email Opt Out, HubSpot's "Unsubscribed from
		// all email", Customer.io's unsubscribed) where false is every
		// record's default, consented or not. So no/false is no value: a
		// new contact gets the import's default status, an existing one
		// keeps its own (a subscriber is not demoted, no consent invented).
		if out == "" {
			return nil, ""
		}
		t := map[string]string{}
		for _, w := range statusIn {
			t[w] = out // "unsubscribed: yes"
		}
		for _, w := range statusNever {
			t[w] = "" // "unsubscribed: no"
		}
		for _, w := range statusOut {
			t[w] = out
		}
		return t, fmt.Sprintf("the column says who unsubscribed: yes/true is %q; no/false sets no status (not opting out is no consent)", out)
	}
	if f.kind() != validate.Enum {
		return nil, ""
	}
	need := false
	for _, v := range c.values {
		if !fitsOptions(f, v) && isStatusWord(v) {
			need = true
		}
	}
	if !need {
		return nil, ""
	}
	t := map[string]string{}
	for _, p := range []struct {
		class []string
		id    string
	}{{statusNever, never}, {statusOut, out}, {statusIn, in}} {
		if p.id == "" {
			continue
		}
		for _, w := range p.class {
			t[w] = p.id
		}
	}
	return t, "status words (active, inactive, subscribed, unsubscribed, yes, no) are read as the field's options"
}

// The parts of a date split over several columns (OpDatePart).
const (
	PartYear  = "year"
	PartMonth = "month"
	PartDay   = "day"
)

// combineDateParts turns year, month and day columns (Thunderbird's Birth
// Year, Birth Month, Birth Day) into one date field when no column holds
// the whole date.
func (g *Suggester) combineDateParts(sug *Suggestion, cands [][]candidate, s *Schema) {
	parts := map[string]string{"birth_year": PartYear, "birth_month": PartMonth, "birth_day": PartDay}
	field := ""
	var cols []int
	var partOf []string
	for i := range sug.Mapping.Columns {
		for k := range cands[i] {
			c := &cands[i][k]
			p, ok := parts[c.concept]
			if !ok || c.conf < g.minConfidence() || slices.Contains(partOf, p) {
				continue
			}
			key := s.Fields[c.field].Key
			if field != "" && key != field || s.Fields[c.field].kind() != validate.Date {
				continue
			}
			field = key
			cols = append(cols, i)
			partOf = append(partOf, p)
			break
		}
	}
	if !slices.Contains(partOf, PartMonth) || !slices.Contains(partOf, PartDay) {
		return
	}
	// A column with the whole date wins.
	for i, c := range sug.Mapping.Columns {
		if c.Field == field && !slices.Contains(cols, i) {
			return
		}
	}
	for k, i := range cols {
		col := &sug.Mapping.Columns[i]
		col.Field = field
		col.Transform = Transform{Op: OpDatePart, Part: partOf[k]}
		col.Match = MatchSynonym
		col.Confidence = round2(chosen(cands[i], s, field).conf)
		col.Reason = fmt.Sprintf("header %q is the %s of the date in field %q, combined with columns %s", strings.TrimSpace(col.Header), partOf[k], field, colList(cols, i))
		col.Warnings = slices.DeleteFunc(col.Warnings, func(w Warning) bool { return w.Code == CodeRepeated || w.Code == CodeUnmapped })
	}
	sug.Repeated = slices.DeleteFunc(sug.Repeated, func(r Repeat) bool { return slices.Contains(cols, r.Column) })
	sug.Unmapped = slices.DeleteFunc(sug.Unmapped, func(i int) bool { return slices.Contains(cols, i) })
}

func colList(cols []int, except int) string {
	var b []string
	for _, c := range cols {
		if c != except {
			b = append(b, fmt.Sprint(c+1))
		}
	}
	return strings.Join(b, " and ")
}
