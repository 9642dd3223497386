// Command accounts imports an accounts (companies) CSV file, then a contacts
// CSV file with an Account column that links each contact to its account, the
// way ActiveCampaign describes the flow: accounts first, with their own fields
// (website, industry, employees, …), then contacts, whose account names must
// match the accounts exactly; a name that matches no account creates one
// (without fields), unless -accounts link is given.
//
// Usage:
//
//	go run ./examples/accounts [flags] ACCOUNTS.csv CONTACTS.csv
//
// Both files go into one store: a SQLite file (-db, default contacts.db, the
// database examples/csvimport uses too) or, with -db :memory:, the in-memory
// reference stores. Both mappings are suggested from the files' headers, with
// mapping.DefaultAccountSchema for the accounts and mapping.DefaultSchema for
// the contacts. The summary of both imports goes to standard output, or with
// -json one JSON object {"db", "dry_run", "accounts": report, "contacts":
// report}, each report an importer.Report with its "file".
//
// # Errors
//
// The exit status is 0 when both imports ran, even with bad rows (they are in
// the reports); 1 when one could not run (an unreadable file, a file without
// an account name or e-mail column, a database that fails), in which case the
// contacts are not imported after a failed account import, and the report of
// the accounts is still printed after a failed contact import; 2 on bad flags.
// Statuses 1 and 2 come with a one-line reason on standard error.
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
	"sort"
	"strings"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/mapping"
)

const memoryDB = ":memory:"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	accountsFile, contactsFile string
	db                         string
	dryRun                     bool
	region                     string
	link                       string
	json                       bool
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func parseArgs(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("accounts", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.db, "db", "contacts.db", "SQLite database `file`; "+memoryDB+" uses the in-memory stores")
	fs.BoolVar(&o.dryRun, "dry-run", false, "do everything but write")
	fs.StringVar(&o.region, "region", "US", "default phone `region` for national numbers")
	fs.StringVar(&o.link, "accounts", "create", "contacts naming an account that does not exist: `create` it, or link only existing ones (link)")
	fs.BoolVar(&o.json, "json", false, "print both reports as one JSON object on stdout, and nothing else there")
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
	if len(files) != 2 {
		return nil, &usageError{fmt.Sprintf("want two files, ACCOUNTS.csv then CONTACTS.csv; got %d", len(files))}
	}
	o.accountsFile, o.contactsFile = files[0], files[1]
	if o.link != "create" && o.link != "link" {
		return nil, &usageError{fmt.Sprintf("-accounts %q: want create or link", o.link)}
	}
	if o.db == "" {
		return nil, &usageError{"-db: empty database file name"}
	}
	o.region = strings.ToUpper(o.region)
	if len(o.region) != 2 {
		return nil, &usageError{fmt.Sprintf("-region %q: want an ISO 3166-1 alpha-2 code such as US", o.region)}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "usage: accounts [-db FILE] [-dry-run] [-region CC] [-accounts create|link] [-json] ACCOUNTS.csv CONTACTS.csv")
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "accounts: %s\n", ue.msg)
		return 2
	}
	if err := importBoth(ctx, o, stdout); err != nil {
		fmt.Fprintf(stderr, "accounts: %s\n", strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " "))
		return 1
	}
	return 0
}

// step is one import's report with its file.
type step struct {
	File string `json:"file"`
	*importer.Report
}

type output struct {
	DB       string `json:"db"`
	DryRun   bool   `json:"dry_run"`
	Accounts *step  `json:"accounts"`
	Contacts *step  `json:"contacts,omitempty"`
}

func importBoth(ctx context.Context, o *options, stdout io.Writer) error {
	st, err := openStores(ctx, o)
	if err != nil {
		return err
	}
	defer st.close()
	out := &output{DB: st.name, DryRun: o.dryRun}
	print := func() error {
		if o.json {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		writeSummary(stdout, out)
		return nil
	}

	// 1. Accounts, with their own fields.
	rep, err := importFile(o.accountsFile, func(f *os.File, size int64) (*importer.Report, error) {
		return importer.ImportAccounts(ctx, f, st.accounts, importer.Config{
			Schema: mapping.DefaultAccountSchema(), DryRun: o.dryRun, Region: o.region, TotalBytes: size})
	})
	if rep == nil {
		return err
	}
	out.Accounts = &step{File: o.accountsFile, Report: rep}
	if err != nil {
		return stopped(print, "accounts", o.accountsFile, rep, err, false)
	}

	// 2. Contacts, linked to the accounts by exact name.
	res := &accounts.Resolver{Store: st.accounts, DryRun: o.dryRun}
	if o.link == "link" {
		res.Missing = accounts.LinkOnly
	}
	rep, err = importFile(o.contactsFile, func(f *os.File, size int64) (*importer.Report, error) {
		return importer.Import(ctx, f, st.contacts, importer.Config{
			Schema: mapping.DefaultSchema(), Mode: importer.ModeUpsert, DryRun: o.dryRun,
			Region: o.region, Accounts: res, TotalBytes: size})
	})
	if rep == nil {
		print() // the accounts are imported
		return err
	}
	out.Contacts = &step{File: o.contactsFile, Report: rep}
	if err != nil {
		return stopped(print, "contacts", o.contactsFile, rep, err, true)
	}
	return print()
}

// importFile opens path and runs imp on it. A nil report means the file
// could not be opened.
func importFile(path string, imp func(*os.File, int64) (*importer.Report, error)) (*importer.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	return imp(f, size)
}

// stopped reports an import that could not run, or stopped part-way. The
// reports so far are printed (they say what was committed) when something
// was imported: always after the accounts (printAnyway), else when the
// import stopped part-way.
func stopped(print func() error, what, path string, rep *importer.Report, err error, printAnyway bool) error {
	if errors.Is(err, importer.ErrMapping) || errors.Is(err, importer.ErrConfig) || rep.Rows == 0 {
		if printAnyway {
			print()
		}
		return fmt.Errorf("cannot import the %s of %s: %w", what, path, err)
	}
	print()
	return fmt.Errorf("the %s import of %s stopped after line %d: %w", what, path, rep.LastCommittedLine, err)
}

type stores struct {
	name     string
	contacts importer.Store
	accounts accounts.Store
	close    func()
}

// openStores opens o.db (":memory:" is the in-memory stores). A dry run
// never creates the database: without the file it runs on empty stores.
func openStores(ctx context.Context, o *options) (*stores, error) {
	memory := func() *stores {
		return &stores{name: o.db, contacts: memstore.New(), accounts: memstore.NewAccounts(), close: func() {}}
	}
	if o.db == memoryDB {
		return memory(), nil
	}
	if _, err := os.Stat(o.db); o.dryRun && errors.Is(err, os.ErrNotExist) {
		return memory(), nil
	}
	st, err := sqlstore.Open(ctx, o.db, sqlstore.Config{})
	if err != nil {
		return nil, fmt.Errorf("cannot open the database: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("cannot prepare the database %s: %w", o.db, err)
	}
	return &stores{name: o.db, contacts: st, accounts: st, close: func() { st.Close() }}, nil
}

func writeSummary(w io.Writer, out *output) {
	if out.DryRun {
		fmt.Fprintf(w, "Dry run on %s: nothing was written; the counts are what the imports would do.\n", out.DB)
	} else {
		fmt.Fprintf(w, "Database: %s\n", out.DB)
	}
	for _, s := range []struct {
		title string
		st    *step
	}{{"Accounts", out.Accounts}, {"Contacts", out.Contacts}} {
		if s.st == nil {
			continue
		}
		r := s.st.Report
		fmt.Fprintf(w, "\n%s from %s: %d rows, %d created, %d updated, %d unchanged, %d skipped, %d failed\n",
			s.title, s.st.File, r.Rows, r.Created, r.Updated, r.Unchanged, r.Skipped, r.Failed)
		headers := make([]string, 0, len(r.Mapping))
		for h := range r.Mapping {
			headers = append(headers, h)
		}
		sort.Slice(headers, func(i, j int) bool { return index(r.Header, headers[i]) < index(r.Header, headers[j]) })
		var cols []string
		for _, h := range headers {
			cols = append(cols, h+" -> "+r.Mapping[h])
		}
		fmt.Fprintf(w, "  mapping: %s\n", strings.Join(cols, ", "))
		if len(r.Unmapped) > 0 {
			fmt.Fprintf(w, "  not imported: %s\n", strings.Join(r.Unmapped, ", "))
		}
		if s.st == out.Contacts {
			fmt.Fprintf(w, "  %d contacts linked to accounts (%d to accounts this import created: %d)\n",
				r.AccountsLinked, r.AccountsLinkedNew, r.AccountsCreated)
		}
		for _, p := range append(append([]importer.Problem(nil), r.Errors...), r.Warnings...) {
			where := "  "
			if p.Line > 0 {
				where += fmt.Sprintf("line %d: ", p.Line)
			}
			fmt.Fprintf(w, "%s%s: %s (%s)\n", where, p.Code, p.Message, p.Action)
		}
	}
}

func index(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return len(s)
}
