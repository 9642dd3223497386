package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gocarina/gocsv"
	"github.com/nyaruka/phonenumbers"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase"
	"github.com/contactkit/contactkit/mapping"
)

// Stage names.
const (
	stageFloor    = "floor"
	stageBaseline = "baseline"
	stageImport   = "import"
	stageDryRun   = "dryrun"
	stageSQLite   = "sqlite"
	stagePostgres = "postgres"
	// The database's own floor (see dbfloor.go), run only when asked.
	stageSQLiteStore   = "sqlite-store"
	stageSQLiteSQL     = "sqlite-sql"
	stagePostgresStore = "postgres-store"
	stagePostgresSQL   = "postgres-sql"
)

var stageDescriptions = map[string]string{
	stageFloor:         "encoding/csv read, ReuseRecord",
	stageBaseline:      "gocsv into []T, net/mail, phonenumbers, map dedupe",
	stageImport:        "contactkit import into memstore",
	stageDryRun:        "contactkit dry run (csvimport -db :memory: -dry-run)",
	stageSQLite:        "contactkit import into sqlstore on SQLite",
	stagePostgres:      "contactkit import into sqlstore on PostgreSQL",
	stageSQLiteStore:   "csv rows as contacts, sqlstore WriteBatch on SQLite, no lookups",
	stageSQLiteSQL:     "one INSERT … SELECT of the contacts in one transaction, SQLite",
	stagePostgresStore: "csv rows as contacts, sqlstore WriteBatch on PostgreSQL, no lookups",
	stagePostgresSQL:   "one INSERT … SELECT of the contacts in one transaction, PostgreSQL",
}

// allStages is every stage in the order they run.
var allStages = []string{stageFloor, stageBaseline, stageImport, stageDryRun, stageSQLite, stageSQLiteStore, stageSQLiteSQL,
	stagePostgres, stagePostgresStore, stagePostgresSQL}

// sqliteStages and postgresStages are the stages that need -sqlite and
// -postgres.
var (
	sqliteStages   = []string{stageSQLite, stageSQLiteStore, stageSQLiteSQL}
	postgresStages = []string{stagePostgres, stagePostgresStore, stagePostgresSQL}
)

// stageResult is what a child process measures of its stage (and, filled
// in by the parent, its peak memory and the ratios).
type stageResult struct {
	Stage string `json:"stage"`
	Rows  int    `json:"rows"`
	// WallSeconds and CPUSeconds (user + system, every thread) are those of
	// the measured work only, not of the process start.
	WallSeconds float64 `json:"wall_seconds"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	RowsPerSec  float64 `json:"rows_per_second"`
	// Mallocs and AllocBytes are the heap allocations of the work
	// (runtime.MemStats deltas); NumGC the collections it caused.
	Mallocs      uint64  `json:"mallocs"`
	AllocBytes   uint64  `json:"alloc_bytes"`
	AllocsPerRow float64 `json:"allocs_per_row"`
	BytesPerRow  float64 `json:"alloc_bytes_per_row"`
	NumGC        uint32  `json:"num_gc"`
	// PeakRSSBytes is the child process's maximum resident set size;
	// StartRSSBytes the part of it reached before the work began: the
	// program's code and data pages, the Go runtime and the package
	// initializations (phonenumbers loads its metadata then), which every
	// stage pays alike.
	PeakRSSBytes  int64 `json:"peak_rss_bytes"`
	StartRSSBytes int64 `json:"start_rss_bytes"`
	// ProcessCPUSeconds is the child's whole CPU time, start-up included.
	ProcessCPUSeconds float64 `json:"process_cpu_seconds"`

	Baseline *baselineCounts `json:"baseline,omitempty"`
	Import   *importCounts   `json:"import,omitempty"`
	Store    *storeCounts    `json:"store,omitempty"`

	// Ratios to the floor and to the baseline of the same run (0 when that
	// stage did not run).
	WallVsFloor    float64 `json:"wall_vs_floor,omitempty"`
	WallVsBaseline float64 `json:"wall_vs_baseline,omitempty"`
	CPUVsFloor     float64 `json:"cpu_vs_floor,omitempty"`
	CPUVsBaseline  float64 `json:"cpu_vs_baseline,omitempty"`
	RSSVsFloor     float64 `json:"rss_vs_floor,omitempty"`
	RSSVsBaseline  float64 `json:"rss_vs_baseline,omitempty"`
}

// baselineCounts is what the hand-written baseline found.
type baselineCounts struct {
	Contacts      int `json:"contacts"`
	BadEmails     int `json:"bad_emails"`
	Duplicates    int `json:"duplicates"`
	ValidPhones   int `json:"valid_phones"`
	InvalidPhones int `json:"invalid_phones"`
}

// importCounts is the part of contactkit's report the benchmark shows.
type importCounts struct {
	importer.Counts
	SkippedBy         map[importer.Code]int `json:"skipped_by,omitempty"`
	AccountsCreated   int                   `json:"accounts_created"`
	AccountsLinked    int                   `json:"accounts_linked"`
	AccountsLinkedNew int                   `json:"accounts_linked_new"`
	Errors            int                   `json:"errors"`
	Warnings          int                   `json:"warnings"`
	Mapping           map[string]string     `json:"mapping"`
	Unmapped          []string              `json:"unmapped,omitempty"`
}

// stageConfig is what a child needs to run its stage.
type stageConfig struct {
	file       string
	region     string
	batch      int    // importer.Config.BatchSize (0: its default)
	sqlite     string // SQLite database file (must not exist)
	postgres   string // PostgreSQL URL
	cpuProfile string
	memProfile string
}

// runStage runs one stage in this process and measures it.
func runStage(ctx context.Context, name string, sc stageConfig) (*stageResult, error) {
	var work func() (*stageResult, error)
	var cleanup func()
	var after func(*stageResult) error // run after the measure, before cleanup
	switch name {
	case stageFloor:
		work = func() (*stageResult, error) { return floor(sc.file) }
	case stageBaseline:
		work = func() (*stageResult, error) { return baseline(sc.file, sc.region) }
	case stageImport, stageDryRun:
		dry := name == stageDryRun
		work = func() (*stageResult, error) {
			return contactkit(ctx, sc, memstore.New(), &accounts.Resolver{Store: memstore.NewAccounts(), DryRun: dry}, dry)
		}
	case stageSQLite, stagePostgres:
		db, err := openStore(ctx, name, sc)
		if err != nil {
			return nil, err
		}
		cleanup = db.close
		work = func() (*stageResult, error) {
			return contactkit(ctx, sc, db.st, &accounts.Resolver{Store: db.st}, false)
		}
	case stageSQLiteStore, stagePostgresStore, stageSQLiteSQL, stagePostgresSQL:
		db, err := openStore(ctx, name, sc)
		if err != nil {
			return nil, err
		}
		cleanup = db.close
		if name == stageSQLiteStore || name == stagePostgresStore {
			work = func() (*stageResult, error) { return storeFloor(ctx, sc, db.st) }
		} else {
			work = func() (*stageResult, error) { return sqlFloor(ctx, sc, db) }
		}
		// Outside the measure, before the store is removed: what it holds.
		after = func(res *stageResult) error {
			n, err := db.st.Count(ctx)
			if err != nil {
				return err
			}
			res.Store.Stored = n
			return nil
		}
	default:
		return nil, fmt.Errorf("unknown stage %q (want one of %s)", name, strings.Join(allStages, ", "))
	}
	if cleanup != nil {
		defer cleanup()
	}

	if sc.cpuProfile != "" {
		f, err := os.Create(sc.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	startRSS := maxRSSBytes(&ru)
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
	t0 := time.Now()

	res, err := work()

	wall := time.Since(t0)
	cpu1 := cpuTime(syscall.RUSAGE_SELF)
	runtime.ReadMemStats(&m1)
	if sc.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, err
	}
	if after != nil {
		if err := after(res); err != nil {
			return nil, err
		}
	}
	if sc.memProfile != "" {
		f, err := os.Create(sc.memProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return nil, err
		}
	}
	res.Stage = name
	res.StartRSSBytes = startRSS
	res.WallSeconds = wall.Seconds()
	res.CPUSeconds = (cpu1 - cpu0).Seconds()
	res.Mallocs = m1.Mallocs - m0.Mallocs
	res.AllocBytes = m1.TotalAlloc - m0.TotalAlloc
	res.NumGC = m1.NumGC - m0.NumGC
	if res.Rows > 0 {
		res.RowsPerSec = float64(res.Rows) / res.WallSeconds
		res.AllocsPerRow = float64(res.Mallocs) / float64(res.Rows)
		res.BytesPerRow = float64(res.AllocBytes) / float64(res.Rows)
	}
	return res, nil
}

// cpuTime returns the user + system time of who (RUSAGE_SELF, RUSAGE_CHILDREN).
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// floor is the least any CSV import does: read every record with
// encoding/csv, reusing the record slice.
func floor(path string) (*stageResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd := csv.NewReader(f)
	rd.ReuseRecord = true
	if _, err := rd.Read(); err != nil { // the header
		return nil, err
	}
	rows := 0
	for {
		_, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rows++
	}
	return &stageResult{Rows: rows}, nil
}

// baselineContact is the struct a Go developer writes for the file.
type baselineContact struct {
	Email      string `csv:"Email"`
	FirstName  string `csv:"First Name"`
	LastName   string `csv:"Last Name"`
	Phone      string `csv:"Phone"`
	Company    string `csv:"Company"`
	City       string `csv:"City"`
	Country    string `csv:"Country"`
	Birthday   string `csv:"Birthday"`
	Tags       string `csv:"Tags"`
	Newsletter string `csv:"Newsletter"`
}

// baselineRegions maps the country names the file uses to regions, as the
// hand-written import would with a small table.
var baselineRegions = func() map[string]string {
	m := map[string]string{}
	for _, c := range countries {
		for _, n := range c.names {
			m[strings.ToLower(n)] = c.code
		}
	}
	return m
}()

func baselineRegion(country string) string {
	c := strings.TrimSpace(country)
	if len(c) == 2 {
		return strings.ToUpper(c)
	}
	if r, ok := baselineRegions[strings.ToLower(c)]; ok {
		return r
	}
	return "US"
}

// baseline is what a Go developer writes by hand today: gocsv into a slice
// of structs (the whole file in memory), net/mail for the address,
// phonenumbers Parse + IsValidNumber + Format(E164) for the phone, and a
// map to drop repeated addresses.
func baseline(path, region string) (*stageResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var contacts []*baselineContact
	if err := gocsv.UnmarshalFile(f, &contacts); err != nil {
		return nil, err
	}
	var n baselineCounts
	seen := make(map[string]struct{}, len(contacts))
	kept := make([]*baselineContact, 0, len(contacts))
	for _, c := range contacts {
		addr, err := mail.ParseAddress(c.Email)
		if err != nil {
			n.BadEmails++
			continue
		}
		c.Email = addr.Address
		if c.Phone != "" {
			reg := region
			if c.Country != "" {
				reg = baselineRegion(c.Country)
			}
			num, err := phonenumbers.Parse(c.Phone, reg)
			if err == nil && phonenumbers.IsValidNumber(num) {
				c.Phone = phonenumbers.Format(num, phonenumbers.E164)
				n.ValidPhones++
			} else {
				c.Phone = ""
				n.InvalidPhones++
			}
		}
		key := strings.ToLower(c.Email)
		if _, dup := seen[key]; dup {
			n.Duplicates++
			continue
		}
		seen[key] = struct{}{}
		kept = append(kept, c)
	}
	n.Contacts = len(kept)
	runtime.KeepAlive(kept)
	return &stageResult{Rows: len(contacts), Baseline: &n}, nil
}

// contactkit imports the file as examples/csvimport does: default schema,
// suggested mapping, match and dedupe by e-mail, accounts linked (created
// when missing), region as the default phone region.
func contactkit(ctx context.Context, sc stageConfig, st importer.Store, res *accounts.Resolver, dry bool) (*stageResult, error) {
	f, err := os.Open(sc.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	cfg := importer.Config{
		Schema:     mapping.DefaultSchema(),
		Region:     sc.region,
		BatchSize:  sc.batch,
		DryRun:     dry,
		Accounts:   res,
		TotalBytes: size,
	}
	rep, err := importer.Import(ctx, f, st, cfg)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	n := &importCounts{
		Counts:            rep.Counts,
		SkippedBy:         rep.SkippedBy,
		AccountsCreated:   rep.AccountsCreated,
		AccountsLinked:    rep.AccountsLinked,
		AccountsLinkedNew: rep.AccountsLinkedNew,
		Errors:            len(rep.Errors) + rep.ErrorsDropped,
		Warnings:          len(rep.Warnings) + rep.WarningsDropped,
		Mapping:           rep.Mapping,
		Unmapped:          rep.Unmapped,
	}
	return &stageResult{Rows: rep.Rows, Import: n}, nil
}

// stageDB is the store of a database stage, migrated and empty.
type stageDB struct {
	st *sqlstore.Store
	// contacts is the store's contacts table, quoted as the store names it
	// (in its schema on PostgreSQL).
	contacts string
	// close closes the store and removes the SQLite file, or drops the
	// PostgreSQL schema.
	close func()
}

// openStore opens and migrates the store of a database stage: for the
// SQLite stages a new file (sc.sqlite, which must not exist), for the
// PostgreSQL stages a schema of its own in sc.postgres.
func openStore(ctx context.Context, stage string, sc stageConfig) (*stageDB, error) {
	if slices.Contains(sqliteStages, stage) {
		if sc.sqlite == "" {
			return nil, fmt.Errorf("the %s stage needs -sqlite FILE", stage)
		}
		if _, err := os.Stat(sc.sqlite); err == nil {
			return nil, fmt.Errorf("-sqlite %s: the file exists; give a new file name (the benchmark creates and removes it)", sc.sqlite)
		}
		st, err := sqlstore.Open(ctx, sc.sqlite, sqlstore.Config{})
		if err != nil {
			return nil, err
		}
		db := &stageDB{st: st, contacts: sqlbase.Names{}.Table("contacts"), close: func() {
			st.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(sc.sqlite + suffix)
			}
		}}
		if err := st.Migrate(ctx); err != nil {
			db.close()
			return nil, err
		}
		return db, nil
	}
	if sc.postgres == "" {
		return nil, fmt.Errorf("the %s stage needs -postgres URL", stage)
	}
	// A schema of its own, dropped afterwards: the benchmark never
	// touches the database's other tables.
	schema := fmt.Sprintf("ckbench_%d_%d", os.Getpid(), time.Now().UnixNano())
	st, err := sqlstore.Open(ctx, sc.postgres, sqlstore.Config{Schema: schema})
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", redactErr(err, sc.postgres))
	}
	db := &stageDB{st: st, contacts: sqlbase.Names{Schema: schema}.Table("contacts"), close: func() {
		dropSchema(st.DB(), schema)
		st.Close()
	}}
	if err := st.Migrate(ctx); err != nil {
		db.close()
		return nil, fmt.Errorf("postgres: %w", redactErr(err, sc.postgres))
	}
	return db, nil
}

func dropSchema(db *sql.DB, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// schema is ckbench_<digits>_<digits>: safe to quote as is.
	if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
		fmt.Fprintf(os.Stderr, "ckbench: could not drop the PostgreSQL schema %s: %v\n", schema, err)
	}
}

// redactErr keeps a connection URL's password out of an error message.
func redactErr(err error, url string) error {
	if p := redactURL(url); p != url && strings.Contains(err.Error(), url) {
		return errors.New(strings.ReplaceAll(err.Error(), url, p))
	}
	return err
}
