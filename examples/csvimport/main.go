package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"unicode/utf8"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// Exit statuses.
const (
	exitOK      = 0 // the import ran (bad rows included)
	exitFailed  = 1 // the import could not run
	exitBadArgs = 2 // wrong flags
	exitPartly  = 3 // -undo kept conflicts: the import is partly undone
)

// memoryDB is the -db value that selects the in-memory reference store.
const memoryDB = ":memory:"

// sampleRows is how many rows the mapping suggestion looks at.
const sampleRows = 50

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed command line.
type options struct {
	file        string
	db          string
	mode        importer.Mode
	fillEmpty   bool
	dryRun      bool
	region      string
	encoding    string
	delimiter   rune
	header      importer.HeaderMode
	mappingFile string
	saveMapping string
	accounts    string
	tags        []string
	limit       int
	errorsFile  string
	preview     int
	json        bool
	history     bool
	export      string
	resume      string
	undo        string
	force       bool
	list        string
	listImport  string
	output      string
	keep        int
	keepDays    int
}

// usageError is a problem with the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// failure is a reason the import could not run (exit status 1).
type failure struct{ err error }

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

func failf(format string, args ...any) error {
	return &failure{fmt.Errorf(format, args...)}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func newFlagSet(o *options, mode, delimiter *string, tags *stringList) *flag.FlagSet {
	fs := flag.NewFlagSet("csvimport", flag.ContinueOnError)
	fs.StringVar(&o.db, "db", "contacts.db", "SQLite database `file` (created when missing); "+memoryDB+" uses the in-memory store")
	fs.StringVar(mode, "mode", "upsert", "`create`, update or upsert: whether rows create contacts, update existing ones, or both")
	fs.BoolVar(&o.fillEmpty, "fill-empty", false, "on update, only fill fields that are empty (default: overwrite them)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "do everything but write: report what would happen")
	fs.StringVar(&o.region, "region", "US", "default phone `region` (ISO 3166-1 alpha-2) for national numbers")
	fs.StringVar(&o.encoding, "encoding", "", "force the character encoding (`name` such as windows-1252, utf-16le); default: detect")
	fs.StringVar(delimiter, "delimiter", "", "force the field delimiter (one `character`, or \"tab\"); default: detect")
	fs.Func("header", "whether the first row is a header: `auto` (decided from the rows), yes or no", func(s string) error {
		m, ok := map[string]importer.HeaderMode{"auto": importer.HeaderAuto, "yes": importer.HeaderPresent, "no": importer.HeaderNone}[s]
		if !ok {
			return errors.New("want auto, yes or no")
		}
		o.header = m
		return nil
	})
	fs.StringVar(&o.mappingFile, "mapping", "", "use the mapping saved in `file` (JSON) instead of a suggested one")
	fs.StringVar(&o.saveMapping, "save-mapping", "", "write the mapping used to `file` (JSON), for -mapping")
	fs.StringVar(&o.accounts, "accounts", "create", "account names that do not exist yet: `create` them, link only existing ones (link), or do not link (off)")
	fs.Var(tags, "tag", "add `tag` to every imported contact (repeatable)")
	fs.IntVar(&o.limit, "limit", 0, "most contacts the store may hold; `n` = 0 means no limit")
	fs.StringVar(&o.errorsFile, "errors", "", "write the rejected rows with their reasons to `file` (CSV)")
	fs.IntVar(&o.preview, "preview", 0, "include the first `n` contacts as written (normalized) in the report")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON on stdout, and nothing else there")
	fs.BoolVar(&o.history, "history", false, "list the imports recorded in -db, newest first (with -json: a JSON array), and import nothing")
	fs.StringVar(&o.resume, "resume", "", "continue the interrupted, failed or cancelled import `ID` of -db (see -history) with its file, which must be unchanged (checked by SHA-256); give the same flags")
	fs.StringVar(&o.undo, "undo", "", "undo the import `ID` of -db: delete the contacts it created, restore the values it overwrote, remove its tags and the accounts it created; with -dry-run only print what it would do; import nothing")
	fs.BoolVar(&o.force, "force", false, "with -undo: also reverse values changed since the import (conflicts), and undo an import whose record says it is still running (its process died)")
	fs.StringVar(&o.list, "list", "", "write the `list` created, updated, failed or skipped of the import -import ID as CSV (to -o FILE, or stdout); import nothing")
	fs.StringVar(&o.listImport, "import", "", "the import `ID` whose -list to write (see -history)")
	fs.StringVar(&o.output, "o", "", "with -list: write the CSV to `file` instead of stdout")
	fs.IntVar(&o.keep, "keep", 0, "after the import, prune the history to the `n` newest imports (running ones are never pruned); 0 keeps all")
	fs.IntVar(&o.keepDays, "keep-days", 0, "after the import, prune the imports started more than `n` days ago; 0 keeps all")
	fs.StringVar(&o.export, "export", "", "write every contact of -db to `file` (CSV: the schema's fields, normalized), after the import when a CSV file is given")
	fs.SetOutput(io.Discard)
	return fs
}

// parseArgs reads the command line. Flags may come before or after the file.
func parseArgs(args []string) (*options, error) {
	o := &options{}
	var mode, delimiter string
	var tags stringList
	fs := newFlagSet(o, &mode, &delimiter, &tags)
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if err := checkHistoryFlags(o, len(files)); err != nil {
		return nil, err
	}
	switch {
	case o.undo != "" || o.list != "":
	case (o.keep > 0 || o.keepDays > 0) && len(files) == 0 && !o.history && o.export == "":
	case o.history && len(files) > 0:
		return nil, &usageError{"-history lists the imports of -db: give no CSV file"}
	case o.history && o.export != "":
		return nil, &usageError{"-history and -export: one at a time"}
	case o.resume != "" && (len(files) == 0 || o.history):
		return nil, &usageError{"-resume ID: give the import's CSV file again"}
	case o.resume != "" && o.dryRun:
		return nil, &usageError{"-resume and -dry-run: one at a time"}
	case len(files) == 0 && (o.history || o.export != ""):
	case len(files) == 0:
		return nil, &usageError{"no CSV file given (usage: csvimport [flags] FILE.csv)"}
	case len(files) == 1:
		o.file = files[0]
	default:
		return nil, &usageError{fmt.Sprintf("one CSV file at a time, got %d: %s", len(files), strings.Join(files, " "))}
	}
	o.tags = tags

	switch m := importer.Mode(mode); m {
	case importer.ModeCreate, importer.ModeUpdate, importer.ModeUpsert:
		o.mode = m
	default:
		return nil, &usageError{fmt.Sprintf("-mode %q: want create, update or upsert", mode)}
	}
	switch o.accounts {
	case "create", "link", "off":
	default:
		return nil, &usageError{fmt.Sprintf("-accounts %q: want create, link or off", o.accounts)}
	}
	if o.db == "" {
		return nil, &usageError{"-db: empty database file name"}
	}
	if o.limit < 0 {
		return nil, &usageError{fmt.Sprintf("-limit %d: want 0 (no limit) or more", o.limit)}
	}
	if o.preview < 0 {
		return nil, &usageError{fmt.Sprintf("-preview %d: want 0 or more", o.preview)}
	}
	for _, t := range o.tags {
		if strings.TrimSpace(t) == "" || strings.Contains(t, "|") {
			return nil, &usageError{fmt.Sprintf("-tag %q: want a non-empty tag without '|'", t)}
		}
	}
	o.region = strings.ToUpper(strings.TrimSpace(o.region))
	if _, err := validate.New(validate.Phone, validate.Rules{DefaultRegion: o.region}); err != nil || len(o.region) != 2 {
		return nil, &usageError{fmt.Sprintf("-region %q: want an ISO 3166-1 alpha-2 country code such as US or DE", o.region)}
	}
	d, err := parseDelimiter(delimiter)
	if err != nil {
		return nil, err
	}
	o.delimiter = d
	return o, nil
}

// checkHistoryFlags refuses combinations of -undo, -list, -import, -o,
// -force, -keep and -keep-days that mean nothing.
func checkHistoryFlags(o *options, files int) error {
	other := func(flag string) error {
		return &usageError{flag + ": give it alone (with -db, and -dry-run, -force or -json for -undo; -o for -list)"}
	}
	switch {
	case o.undo != "" && (files > 0 || o.history || o.export != "" || o.resume != "" || o.list != ""):
		return other("-undo ID")
	case o.list != "" && (files > 0 || o.history || o.export != "" || o.resume != "" || o.dryRun || o.force):
		return other("-list")
	case o.list != "" && !importer.ImportList(o.list).Valid():
		return &usageError{fmt.Sprintf("-list %q: want created, updated, failed or skipped", o.list)}
	case o.list != "" && o.listImport == "":
		return &usageError{"-list: give the import with -import ID (see -history)"}
	case o.list == "" && o.listImport != "":
		return &usageError{"-import ID: give the list to write with -list"}
	case o.list == "" && o.output != "":
		return &usageError{"-o FILE: only with -list"}
	case o.force && o.undo == "":
		return &usageError{"-force: only with -undo"}
	case o.keep < 0 || o.keepDays < 0:
		return &usageError{fmt.Sprintf("-keep %d, -keep-days %d: want 0 (keep all) or more", o.keep, o.keepDays)}
	case (o.keep > 0 || o.keepDays > 0) && (o.undo != "" || o.list != "" || o.dryRun):
		return &usageError{"-keep and -keep-days prune the history after an import, or alone"}
	}
	if o.output != "" && o.db != memoryDB && sameFile(o.output, o.db) {
		return &usageError{fmt.Sprintf("-o %s is the same file as -db %s: it would be overwritten; choose another file", termSafe(o.output), termSafe(o.db))}
	}
	return nil
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r >= utf8.RuneSelf || r == '"' || r == '\r' || r == '\n' {
		return 0, &usageError{fmt.Sprintf("-delimiter %q: want one ASCII character other than a quote or line break, or \"tab\"", s)}
	}
	return r, nil
}

// run is the whole program: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stderr)
		return exitOK
	}
	if err == nil {
		switch {
		case o.undo != "":
			err = undoImport(ctx, o, stdout)
		case o.list != "":
			err = writeList(ctx, o, stdout)
		case o.history:
			err = listHistory(ctx, o, stdout)
		case o.file == "" && o.export == "":
			err = pruneOnly(ctx, o, stdout)
		case o.file == "":
			err = exportOnly(ctx, o, stdout)
		default:
			err = importFile(ctx, o, stdout, stderr)
		}
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errPartlyUndone):
		fmt.Fprintf(stderr, "csvimport: %s\n", termSafe(oneLine(err.Error())))
		return exitPartly
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "csvimport: %s (see csvimport -h)\n", termSafe(oneLine(ue.msg)))
		return exitBadArgs
	default:
		fmt.Fprintf(stderr, "csvimport: %s\n", termSafe(oneLine(err.Error())))
		return exitFailed
	}
}

func printUsage(w io.Writer) {
	var o options
	var mode, delimiter string
	var tags stringList
	fs := newFlagSet(&o, &mode, &delimiter, &tags)
	fs.SetOutput(w)
	fmt.Fprintln(w, "usage: csvimport [flags] FILE.csv")
	fmt.Fprintln(w, "       csvimport -db FILE -history [-json]")
	fmt.Fprintln(w, "       csvimport -db FILE -export OUT.csv")
	fmt.Fprintln(w, "       csvimport -db FILE -undo ID [-dry-run] [-force] [-json]")
	fmt.Fprintln(w, "       csvimport -db FILE -list created|updated|failed|skipped -import ID [-o OUT.csv]")
	fmt.Fprintln(w, "       csvimport -db FILE -keep N -keep-days N")
	fmt.Fprintln(w, "Imports contacts from a CSV file; exit status 0 when it ran, 1 when it could not, 2 on bad flags,")
	fmt.Fprintln(w, "3 when -undo kept conflicts (the import is partly undone).")
	fs.PrintDefaults()
}

// oneLine joins the lines of a message (errors.Join makes several).
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// importFile does the import o describes and prints its report.
func importFile(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	if err := checkOutputs(o); err != nil {
		return err
	}
	f, err := os.Open(o.file)
	if err != nil {
		return failf("cannot read the CSV file: %w", err)
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return failf("cannot read the CSV file: %s is a directory", o.file)
		}
		size = fi.Size()
	}

	rcfg := importer.ReaderConfig{Encoding: o.encoding, Delimiter: o.delimiter, Header: o.header}
	pv, rd, err := importer.Peek(f, rcfg, sampleRows)
	switch {
	case errors.Is(err, importer.ErrUnknownEncoding):
		return &usageError{fmt.Sprintf("-encoding %q: not a character encoding golang.org/x/text knows", o.encoding)}
	case errors.Is(err, importer.ErrInvalidConfig):
		return &usageError{err.Error()}
	case err != nil:
		return failf("cannot read %s: %w", o.file, err)
	}

	schema := mapping.DefaultSchema()
	chosen, err := chooseMapping(o, pv, schema)
	if err != nil {
		return err
	}
	m := chosen.sg.Mapping
	m.AddTags(schema, o.tags)
	if _, err := m.Compile(schema); err != nil {
		// No e-mail column, or a saved mapping that no longer fits the
		// schema: nothing can be imported.
		if errors.Is(err, mapping.ErrNoEmail) {
			return failf("cannot import %s: no e-mail column (%w)", o.file, err)
		}
		return failf("cannot import %s: %w", o.file, err)
	}
	if o.saveMapping != "" {
		if err := writeMapping(o.saveMapping, m); err != nil {
			return failf("cannot save the mapping: %w", err)
		}
	}

	// The error CSV is written beside its path and renamed over it once
	// the import ends: until then a file already there is untouched.
	var errCSV *atomicFile
	if o.errorsFile != "" {
		if errCSV, err = createAtomic(o.errorsFile); err != nil {
			return failf("cannot write the error CSV: %w", err)
		}
		defer errCSV.abort()
	}

	st, err := openStores(ctx, o)
	if err != nil {
		return err
	}
	defer st.close()
	var history importer.History
	var record importer.ImportRecord
	if !o.dryRun {
		if history, err = openHistory(ctx, st); err != nil {
			return err
		}
		if record, err = historyRecord(o, f); err != nil {
			return err
		}
	}

	cfg := importer.Config{
		Schema:       schema,
		Mapping:      m,
		Mode:         o.mode,
		Region:       o.region,
		DryRun:       o.dryRun,
		ContactLimit: o.limit,
		PreviewRows:  o.preview,
		TotalBytes:   size,
		Accounts:     resolver(o, st.accounts),
	}
	if history != nil {
		cfg.History, cfg.HistoryRecord = history, record
		if o.resume != "" {
			cfg.Resume, cfg.HistoryRecord.ID = true, o.resume
		}
	}
	if o.fillEmpty {
		cfg.Merge = importer.MergeFillEmpty
	}
	if errCSV != nil {
		cfg.ErrorCSV = errCSV
	}
	var bar *progressBar
	if isTerminal(stderr) {
		bar = &progressBar{w: stderr, name: termSafe(o.file)}
		cfg.Progress = bar.update
	}

	rep, err := importer.ImportFrom(ctx, rd, st.contacts, cfg)
	bar.clear()
	if err != nil && (errors.Is(err, importer.ErrMapping) || errors.Is(err, importer.ErrConfig)) {
		// Nothing was written: no report worth printing, and no error
		// CSV (the deferred abort removes it).
		return failf("cannot import %s: %w", o.file, err)
	}
	if err != nil && (errors.Is(err, importer.ErrResumeMismatch) || errors.Is(err, importer.ErrImportNotFound)) {
		return failf("cannot resume import %s with %s: %w", termSafe(o.resume), o.file, err)
	}
	if errCSV != nil {
		if cerr := errCSV.commit(); cerr != nil && err == nil {
			err = fmt.Errorf("write the error CSV: %w", cerr)
		}
	}

	out := newOutput(o, st.name, rep, chosen)
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(out); jerr != nil && err == nil {
			err = fmt.Errorf("write the report: %w", jerr)
		}
	} else {
		writeSummary(stdout, out, schema)
	}
	if err != nil {
		// The import stopped part-way (the store failed, the context was
		// cancelled): the report above says what was committed.
		return failf("the import stopped after line %d: %w", rep.LastCommittedLine, err)
	}
	if o.export != "" {
		n, err := exportContacts(ctx, st, schema, o.export)
		if err != nil {
			return err
		}
		if !o.json {
			fmt.Fprintf(stdout, "Exported %d contacts to %s.\n", n, termSafe(o.export))
		}
	}
	if history != nil {
		var w io.Writer
		if !o.json {
			w = stdout
		}
		return prune(ctx, o, history, w)
	}
	return nil
}

// exportOnly writes the contacts of o.db to o.export (-export without a
// CSV file). A database file that does not exist is not created.
func exportOnly(ctx context.Context, o *options, stdout io.Writer) error {
	if err := checkOutputs(o); err != nil {
		return err
	}
	if o.db != memoryDB && missingFile(o.db) {
		return failf("cannot open the database %s: %w", o.db, os.ErrNotExist)
	}
	st, err := openStores(ctx, o)
	if err != nil {
		return err
	}
	defer st.close()
	n, err := exportContacts(ctx, st, mapping.DefaultSchema(), o.export)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported %d contacts to %s.\n", n, termSafe(o.export))
	return nil
}

// chosen is the mapping an import uses and how it was found.
type chosen struct {
	sg    *mapping.Suggestion
	saved bool
}

// chooseMapping suggests a mapping for the file, or re-applies the one saved
// in o.mappingFile (it must have been made for this header).
func chooseMapping(o *options, pv *importer.Preview, schema *mapping.Schema) (chosen, error) {
	sample := make([][]string, len(pv.Rows))
	for i, r := range pv.Rows {
		sample[i] = r.Fields
	}
	if o.mappingFile == "" {
		return chosen{sg: mapping.Suggest(pv.Header, sample, schema)}, nil
	}
	saved, err := readMapping(o.mappingFile)
	if err != nil {
		return chosen{}, failf("cannot use the mapping: %w", err)
	}
	if !saved.Fits(pv.Header) {
		return chosen{}, failf("cannot use the mapping %s: it was made for another header than the one of %s", o.mappingFile, o.file)
	}
	g := mapping.Suggester{Saved: []*mapping.Mapping{saved}}
	sg := g.Suggest(pv.Header, sample, schema)
	if !sg.Saved {
		why := "it does not fit the file"
		if sg.SavedErr != nil {
			why = sg.SavedErr.Error()
		}
		return chosen{}, failf("cannot use the mapping %s: %s", o.mappingFile, why)
	}
	return chosen{sg: sg, saved: true}, nil
}

func readMapping(path string) (*mapping.Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m mapping.Mapping
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: not a mapping (JSON): %w", path, err)
	}
	return &m, nil
}

func writeMapping(path string, m *mapping.Mapping) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// stores are the contact and account stores of an import.
type stores struct {
	name     string // what the report calls the database
	contacts importer.Store
	accounts accounts.Store
	db       *sqlstore.Store // nil for the in-memory stores
	close    func()
}

// each calls fn with every stored contact, in creation order (both stores
// are importer.ContactListers).
func (st *stores) each(ctx context.Context, fn func(importer.Contact) error) error {
	l, ok := st.contacts.(importer.ContactLister)
	if !ok {
		return fmt.Errorf("the %s store cannot list its contacts", st.name)
	}
	for c, err := range l.ListContacts(ctx) {
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// openStores opens o.db, creating and migrating it when needed; ":memory:"
// is the in-memory reference store. A dry run never creates the database:
// when the file does not exist it runs against an empty in-memory store,
// which is what the file would be.
func openStores(ctx context.Context, o *options) (*stores, error) {
	memory := func(name string) *stores {
		return &stores{name: name, contacts: memstore.New(), accounts: memstore.NewAccounts(), close: func() {}}
	}
	if o.db == memoryDB {
		return memory(memoryDB), nil
	}
	if o.dryRun {
		if _, err := os.Stat(o.db); errors.Is(err, os.ErrNotExist) {
			return memory(o.db), nil
		}
	}
	st, err := sqlstore.Open(ctx, o.db, sqlstore.Config{})
	if err != nil {
		return nil, failf("cannot open the database: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, failf("cannot prepare the database %s: %w", o.db, err)
	}
	return &stores{name: o.db, contacts: st, accounts: st, db: st, close: func() { st.Close() }}, nil
}

// resolver is the account resolver -accounts asks for, or nil for "off".
func resolver(o *options, st accounts.Store) *accounts.Resolver {
	r := &accounts.Resolver{Store: st, DryRun: o.dryRun}
	switch o.accounts {
	case "create":
		r.Missing = accounts.CreateMissing
	case "link":
		r.Missing = accounts.LinkOnly
	default:
		return nil
	}
	return r
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
