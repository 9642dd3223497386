package webimport

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// options are the choices of the options step.
type options struct {
	Mode      importer.Mode
	FillEmpty bool
	Region    string
	Accounts  string // "create", "link" or "off"
	Tags      []string
	Limit     int
}

func (s *Handler) defaultOptions() options {
	o := options{Mode: importer.ModeUpsert, Region: s.cfg.Region, Accounts: "create"}
	if s.cfg.Accounts == nil {
		o.Accounts = "off"
	}
	return o
}

// runMapping is the mapping an import uses: the edited one, with the tags
// of the options as constants of the tags field.
func (s *Handler) runMapping(u *upload) *mapping.Mapping {
	m := u.m.Clone()
	m.AddTags(s.schema, u.opts.Tags)
	return m
}

// problemsOf lists the messages of Compile's joined errors.
func problemsOf(err error) []string {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		var me *mapping.Error
		if errors.As(e, &me) {
			out = append(out, me.Message)
		} else {
			out = append(out, e.Error())
		}
	}
	return out
}

// ---- file settings and mapping ----

type choice struct {
	Value, Label string
}

var encodingChoices = []choice{
	{"", "Detect"},
	{"utf-8", "UTF-8"},
	{"utf-16le", "UTF-16 LE"},
	{"utf-16be", "UTF-16 BE"},
	{"windows-1252", "Windows-1252 (Western Europe, Americas)"},
	{"iso-8859-15", "ISO-8859-15 (Latin-9)"},
	{"windows-1250", "Windows-1250 (Central Europe)"},
	{"iso-8859-2", "ISO-8859-2 (Latin-2)"},
	{"windows-1251", "Windows-1251 (Cyrillic)"},
	{"koi8-r", "KOI8-R (Russian)"},
	{"macintosh", "Mac Roman"},
	{"shift_jis", "Shift JIS (Japanese)"},
	{"gbk", "GBK (Simplified Chinese)"},
	{"big5", "Big5 (Traditional Chinese)"},
	{"euc-kr", "EUC-KR (Korean)"},
}

var delimiterChoices = []choice{
	{"", "Detect"},
	{",", "Comma (,)"},
	{";", "Semicolon (;)"},
	{"\t", "Tab"},
	{"|", "Pipe (|)"},
}

func delimiterName(d rune) string {
	for _, c := range delimiterChoices[1:] {
		if c.Value == string(d) {
			return c.Label
		}
	}
	return strconv.QuoteRune(d)
}

type mappingPage struct {
	base
	ID, Name  string
	Size      int64
	Dialect   importer.Dialect
	Delimiter string // its name
	Rows      int    // rows in the sample
	EOF       bool

	Encodings  []choice
	Delimiters []choice
	Encoding   string // the forced settings, "" when detected
	Delim      string
	HeaderLine string
	NoHeader   bool
	FileError  string

	HeaderProblems []string
	RowProblems    []string

	Saved     *savedMapping
	SavedErr  string
	Columns   []columnView
	Fields    []mapping.Field
	Unmapped  []columnView
	Repeated  []string
	Problems  []string // why the mapping cannot be used
	Required  []string // labels of the required fields
	FormError string
}

type columnView struct {
	Index      int
	Number     int
	Header     string
	Samples    []string
	Field      string
	Confidence int // percent
	Match      string
	Reason     string
	Warnings   []mapping.Warning
	Transform  string
}

func (s *Handler) handleMapping(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	s.renderMapping(w, sess, u, http.StatusOK, "", "")
}

func (s *Handler) renderMapping(w http.ResponseWriter, sess *session, u *upload, status int, fileErr, formErr string) {
	d := u.pv.Dialect
	p := mappingPage{
		base: base{Title: "Columns of " + u.name, Step: 2, CSRF: sess.csrf},
		ID:   u.id, Name: u.name, Size: u.size,
		Dialect: d, Delimiter: delimiterName(d.Delimiter), Rows: len(u.pv.Rows), EOF: u.pv.EOF,
		Encodings: encodingChoices, Delimiters: delimiterChoices,
		Encoding: u.rcfg.Encoding, NoHeader: u.rcfg.Header == importer.HeaderNone,
		FileError: fileErr, FormError: formErr,
		Saved: u.saved, Fields: s.schema.Fields,
	}
	if u.rcfg.Delimiter != 0 {
		p.Delim = string(u.rcfg.Delimiter)
	}
	switch {
	case u.rcfg.SkipLines == importer.NoSkip:
		p.HeaderLine = "1"
	case u.rcfg.SkipLines > 0:
		p.HeaderLine = strconv.Itoa(u.rcfg.SkipLines + 1)
	}
	if u.sg.SavedErr != nil {
		p.SavedErr = u.sg.SavedErr.Error()
	}
	for _, e := range u.pv.HeaderProblems {
		p.HeaderProblems = append(p.HeaderProblems, rowErrorText(e))
	}
	for _, e := range u.pv.Problems {
		p.RowProblems = append(p.RowProblems, rowErrorText(e))
	}
	for _, c := range u.m.Columns {
		cv := columnView{Index: c.Index, Number: c.Index + 1, Header: c.Header, Samples: samples(u.pv, c.Index, 3),
			Field: c.Field, Confidence: int(c.Confidence*100 + 0.5), Match: string(c.Match), Reason: c.Reason,
			Transform: s.transformText(c.Transform)}
		for _, w := range c.Warnings {
			// The reason of an unmapped column already says it is not imported.
			if w.Code != mapping.CodeUnmapped {
				cv.Warnings = append(cv.Warnings, w)
			}
		}
		if c.Header == "" {
			cv.Header = fmt.Sprintf("(column %d, no name)", c.Index+1)
		}
		p.Columns = append(p.Columns, cv)
		if c.Field == "" {
			p.Unmapped = append(p.Unmapped, cv)
		}
	}
	for _, rp := range u.sg.Repeated {
		if rp.Column < len(u.m.Columns) && u.m.Columns[rp.Column].Field == "" {
			p.Repeated = append(p.Repeated, fmt.Sprintf("%s repeats %s (column %d fills it)",
				u.m.Columns[rp.Column].Header, s.label(rp.Field), rp.By+1))
		}
	}
	for _, f := range s.schema.Fields {
		if f.Required {
			p.Required = append(p.Required, s.label(f.Key))
		}
	}
	_, err := u.m.Compile(s.schema)
	p.Problems = problemsOf(err)
	s.render(w, status, "mapping", p)
}

// transformText describes a column's transform, or "".
func (s *Handler) transformText(t mapping.Transform) string {
	switch t.Op {
	case mapping.OpNone:
		return ""
	case mapping.OpSplitName:
		return "full name split: family name to " + s.label(t.Field)
	case mapping.OpFirst:
		return "first of several values"
	case mapping.OpSplit:
		return "several values split"
	case mapping.OpJoin:
		return "joined with the other columns of the field"
	case mapping.OpTrim:
		return "trimmed"
	}
	return string(t.Op)
}

// label is a field's label, or its key.
func (s *Handler) label(key string) string {
	if i := s.schema.Index(key); i >= 0 && s.schema.Fields[i].Label != "" {
		return s.schema.Fields[i].Label
	}
	return key
}

// samples returns up to n distinct non-empty values of column i.
func samples(pv *importer.Preview, i, n int) []string {
	var out []string
	for _, r := range pv.Rows {
		if i >= len(r.Fields) {
			continue
		}
		v := strings.TrimSpace(r.Fields[i])
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:39]) + "…"
		}
		out = append(out, v)
		if len(out) == n {
			break
		}
	}
	return out
}

func rowErrorText(e *importer.RowError) string {
	return strings.TrimPrefix(e.Error(), "importer: ")
}

// handleFileSettings re-reads the file with the encoding, delimiter and
// header line the person chose, and suggests a mapping again.
func (s *Handler) handleFileSettings(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	f := r.PostForm
	rcfg := importer.ReaderConfig{Encoding: f.Get("encoding")}
	if !slices.ContainsFunc(encodingChoices, func(c choice) bool { return c.Value == rcfg.Encoding }) {
		s.renderMapping(w, sess, u, http.StatusUnprocessableEntity, "Choose an encoding from the list.", "")
		return
	}
	switch d := f.Get("delimiter"); d {
	case "", ",", ";", "\t", "|":
		if d != "" {
			rcfg.Delimiter = rune(d[0])
		}
	default:
		s.renderMapping(w, sess, u, http.StatusUnprocessableEntity, "Choose a delimiter from the list.", "")
		return
	}
	if f.Get("no_header") != "" {
		rcfg.Header = importer.HeaderNone
	}
	if hl := strings.TrimSpace(f.Get("header_line")); hl != "" {
		n, err := strconv.Atoi(hl)
		if err != nil || n < 1 || n > 1000 {
			s.renderMapping(w, sess, u, http.StatusUnprocessableEntity, "The header line is a line number from 1 to 1000, or empty to detect it.", "")
			return
		}
		rcfg.SkipLines = n - 1
		if n == 1 {
			rcfg.SkipLines = importer.NoSkip
		}
	}
	oldRcfg, oldPv, oldSg, oldM, oldSaved, oldOpts := u.rcfg, u.pv, u.sg, u.m, u.saved, u.opts
	u.rcfg = rcfg
	if err := s.peek(sess, u); err != nil {
		u.rcfg, u.pv, u.sg, u.m, u.saved, u.opts = oldRcfg, oldPv, oldSg, oldM, oldSaved, oldOpts
		s.renderMapping(w, sess, u, http.StatusUnprocessableEntity, readErrorMessage(u.name, err)+" The previous settings are kept.", "")
		return
	}
	s.redirect(w, r, "/u/"+u.id+"/mapping")
}

// handleResuggest drops a re-applied saved mapping for a fresh suggestion.
func (s *Handler) handleResuggest(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	s.resuggest(u)
	u.opts.Tags = nil
	s.redirect(w, r, "/u/"+u.id+"/mapping")
}

// handleMappingPost applies the fields chosen in the selects (col_0,
// col_1, …). A changed column loses the suggestion's explanation and gets
// its own check of the sample values against the chosen field.
func (s *Handler) handleMappingPost(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	f := r.PostForm
	m := u.m.Clone()
	for i := range m.Columns {
		c := &m.Columns[i]
		v, ok := f["col_"+strconv.Itoa(i)]
		if !ok {
			continue
		}
		key := v[0]
		if key != "" && s.schema.Index(key) < 0 {
			s.renderMapping(w, sess, u, http.StatusUnprocessableEntity, "", fmt.Sprintf("Column %d: there is no field %q.", i+1, key))
			return
		}
		if key == c.Field {
			continue
		}
		c.Field, c.Transform, c.Match, c.Confidence, c.Warnings = key, mapping.Transform{}, mapping.MatchNone, 0, nil
		if key == "" {
			c.Reason = "not imported: your choice"
			continue
		}
		c.Reason = "your choice"
		fi := s.schema.Index(key)
		c.Warnings = s.schema.WithRegion(u.opts.Region).Fields[fi].CheckValues(column(u.pv, i))
	}
	u.m = m
	if f.Get("action") != "next" {
		s.redirect(w, r, "/u/"+u.id+"/mapping")
		return
	}
	if _, err := m.Compile(s.schema); err != nil {
		s.renderMapping(w, sess, u, http.StatusUnprocessableEntity, "", "Fix the problems below before you go on.")
		return
	}
	s.redirect(w, r, "/u/"+u.id+"/options")
}

// column returns the values of column i of the sample rows.
func column(pv *importer.Preview, i int) []string {
	vals := make([]string, 0, len(pv.Rows))
	for _, r := range pv.Rows {
		if i < len(r.Fields) {
			vals = append(vals, r.Fields[i])
		}
	}
	return vals
}

// ---- options ----

type optionsPage struct {
	base
	ID, Name       string
	Opts           options
	Tags           string
	Limit          string
	Errors         map[string]string
	AccountsOn     bool
	HasAccountCol  bool
	Modes          []choice
	AccountChoices []choice
}

var modeChoices = []choice{
	{string(importer.ModeUpsert), "Create new contacts and update existing ones"},
	{string(importer.ModeCreate), "Only create new contacts (skip existing ones)"},
	{string(importer.ModeUpdate), "Only update existing contacts (skip new ones)"},
}

var accountChoices = []choice{
	{"create", "Link to existing companies, create the missing ones"},
	{"link", "Only link to existing companies (warn about unknown names)"},
	{"off", "Do not link contacts to companies"},
}

func (s *Handler) handleOptions(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	if _, err := u.m.Compile(s.schema); err != nil {
		s.redirect(w, r, "/u/"+u.id+"/mapping")
		return
	}
	s.renderOptions(w, sess, u, http.StatusOK, u.opts, nil)
}

func (s *Handler) renderOptions(w http.ResponseWriter, sess *session, u *upload, status int, o options, errs map[string]string) {
	p := optionsPage{
		base: base{Title: "Options", Step: 3, CSRF: sess.csrf},
		ID:   u.id, Name: u.name, Opts: o, Tags: strings.Join(o.Tags, ", "), Errors: errs,
		AccountsOn: s.cfg.Accounts != nil, Modes: modeChoices, AccountChoices: accountChoices,
	}
	if o.Limit > 0 {
		p.Limit = strconv.Itoa(o.Limit)
	}
	if i := s.schema.ByRole(mapping.RoleAccount); i >= 0 {
		key := s.schema.Fields[i].Key
		p.HasAccountCol = slices.ContainsFunc(u.m.Columns, func(c mapping.Column) bool { return c.Field == key })
	}
	s.render(w, status, "options", p)
}

// parseOptions reads the options form; errs has a message per bad field.
func (s *Handler) parseOptions(r *http.Request) (options, map[string]string) {
	f := r.PostForm
	o := options{Mode: importer.Mode(f.Get("mode")), FillEmpty: f.Get("fill_empty") != "",
		Region: strings.ToUpper(strings.TrimSpace(f.Get("region"))), Accounts: f.Get("accounts")}
	errs := map[string]string{}
	switch o.Mode {
	case importer.ModeUpsert, importer.ModeCreate, importer.ModeUpdate:
	default:
		errs["mode"] = "Choose what the import does."
		o.Mode = importer.ModeUpsert
	}
	if _, err := validate.New(validate.Phone, validate.Rules{DefaultRegion: o.Region}); err != nil || len(o.Region) != 2 {
		errs["region"] = "Give a two-letter country code, such as US, GB or DE."
	}
	switch {
	case s.cfg.Accounts == nil:
		o.Accounts = "off"
	case o.Accounts != "create" && o.Accounts != "link" && o.Accounts != "off":
		errs["accounts"] = "Choose how contacts are linked to companies."
		o.Accounts = "create"
	}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
		case strings.Contains(t, "|") || utf8.RuneCountInString(t) > 100:
			errs["tags"] = "Tags are separated by commas; a tag has at most 100 characters and no '|'."
		case !slices.Contains(o.Tags, t):
			o.Tags = append(o.Tags, t)
		}
	}
	if l := strings.TrimSpace(f.Get("limit")); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			errs["limit"] = "The contact limit is a whole number, or empty for no limit."
		}
		o.Limit = max(n, 0)
	}
	return o, errs
}

func (s *Handler) handleOptionsPost(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	o, errs := s.parseOptions(r)
	if len(errs) > 0 {
		s.renderOptions(w, sess, u, http.StatusUnprocessableEntity, o, errs)
		return
	}
	u.opts, u.optsSet = o, true
	s.redirect(w, r, "/u/"+u.id+"/review")
}

// ---- preview ----

type reviewPage struct {
	base
	ID, Name    string
	Opts        options
	ModeText    string
	AccountText string
	Headers     []string
	Rows        []previewRow
	Problems    []string // why the import cannot run
	RowProblems []string
	Rejected    int // preview rows that would be rejected
	Dropped     int // values that would be dropped
	Shown       int
	Total       string // rows in the file, if the sample reached its end
}

type previewRow struct {
	Line     int
	Rejected bool
	Cells    []previewCell
}

type previewCell struct {
	Value   string
	Raw     string // the value as in the file, when it differs
	Error   string
	Warning string
}

func (s *Handler) handleReview(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	if !u.optsSet {
		s.redirect(w, r, "/u/"+u.id+"/options")
		return
	}
	p := reviewPage{
		base: base{Title: "Preview", Step: 4, CSRF: sess.csrf},
		ID:   u.id, Name: u.name, Opts: u.opts,
	}
	for _, c := range modeChoices {
		if c.Value == string(u.opts.Mode) {
			p.ModeText = c.Label
		}
	}
	for _, c := range accountChoices {
		if c.Value == u.opts.Accounts {
			p.AccountText = c.Label
		}
	}
	if u.pv.EOF {
		p.Total = strconv.Itoa(len(u.pv.Rows))
	}
	for _, e := range u.pv.Problems {
		p.RowProblems = append(p.RowProblems, rowErrorText(e))
	}
	m := s.runMapping(u)
	plan, err := m.Compile(s.schema.WithRegion(u.opts.Region))
	if err != nil {
		p.Problems = problemsOf(err)
		s.render(w, http.StatusUnprocessableEntity, "review", p)
		return
	}
	// The fields some column or constant feeds, in schema order.
	sc := plan.Schema()
	var fed []int
	for i, f := range sc.Fields {
		if slices.ContainsFunc(m.Columns, func(c mapping.Column) bool { return c.Field == f.Key || c.Transform.Field == f.Key }) ||
			slices.ContainsFunc(m.Constants, func(c mapping.Constant) bool { return c.Field == f.Key }) {
			fed = append(fed, i)
			p.Headers = append(p.Headers, s.label(f.Key))
		}
	}
	rows := make([][]string, 0, previewRows)
	for _, r := range u.pv.Rows[:min(previewRows, len(u.pv.Rows))] {
		rows = append(rows, r.Fields)
	}
	for _, pr := range plan.Preview(rows, previewRows) {
		row := previewRow{Line: u.pv.Rows[pr.Row].Line}
		for _, i := range fed {
			c := pr.Cells[i]
			pc := previewCell{Value: c.Normalized}
			if pc.Value == "" {
				pc.Value = c.Raw
			} else if strings.TrimSpace(c.Raw) != pc.Value {
				pc.Raw = c.Raw
			}
			if c.Err != nil {
				pc.Error = cellError(c.Err)
				if sc.Fields[i].Required {
					row.Rejected = true
				} else {
					p.Dropped++
				}
			}
			if c.Warning != nil {
				pc.Warning = c.Warning.Message
				if c.Warning.Suggestion != "" {
					pc.Warning += fmt.Sprintf(" (did you mean %q?)", c.Warning.Suggestion)
				}
			}
			row.Cells = append(row.Cells, pc)
		}
		if row.Rejected {
			p.Rejected++
		}
		p.Rows = append(p.Rows, row)
	}
	p.Shown = len(p.Rows)
	s.render(w, http.StatusOK, "review", p)
}

// cellError is the message of a preview cell's error.
func cellError(err error) string {
	var ve *validate.Error
	if errors.As(err, &ve) {
		msg := ve.Message
		if ve.Suggestion != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", ve.Suggestion)
		}
		return msg
	}
	return err.Error()
}
