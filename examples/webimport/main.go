package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"syscall"
	"time"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/webimport"
)

// memoryDB is the -db value that selects the in-memory reference stores.
const memoryDB = ":memory:"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "webimport: %v\n", err)
		os.Exit(1)
	}
}

// run serves the import screen until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("webimport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free one)")
	db := fs.String("db", "contacts.db", "SQLite database `file` (created when missing); "+memoryDB+" uses the in-memory store")
	maxMB := fs.Int64("max-upload", webimport.DefaultMaxUpload>>20, "largest upload in `MB`")
	ttl := fs.Duration("ttl", webimport.DefaultTTL, "how long unused uploads and finished reports are kept")
	region := fs.String("region", webimport.DefaultRegion, "default phone `region` offered in the options")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "contactkit-webimport"), "work `directory` for uploads, error CSVs and the markers of running imports; what a crash left there is cleaned up at start")
	keep := fs.Int("keep", 0, "after each import, keep only the `N` newest imports in the history (0 keeps all)")
	keepDays := fs.Int("keep-days", 0, "after each import, delete from the history the imports started more than `N` days ago (0 keeps all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v (see -h)", fs.Args())
	}
	if *keep < 0 || *keepDays < 0 {
		return fmt.Errorf("-keep %d, -keep-days %d: want 0 or more", *keep, *keepDays)
	}
	if *maxMB <= 0 {
		return fmt.Errorf("-max-upload %d: want 1 or more", *maxMB)
	}

	st, err := openStores(ctx, *db)
	if err != nil {
		return err
	}
	defer st.close()

	srv, err := webimport.New(webimport.Config{Contacts: st.contacts, Accounts: st.accounts, History: st.history,
		User: osUser, MaxUpload: *maxMB << 20, TTL: *ttl, Region: *region, Dir: *dir,
		Retention: webimport.Retention{Keep: *keep, Age: time.Duration(*keepDays) * 24 * time.Hour}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return err
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(stderr, "webimport: warning: listening on %s, not on loopback: this example has no login; anyone who can reach it can import contacts\n", ln.Addr())
	}
	fmt.Fprintf(stdout, "webimport: serving http://%s/ (database %s; Ctrl-C stops)\n", ln.Addr(), *db)

	hs := srv.HTTPServer()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
	}
	srv.Close() // cancels imports and ends event streams first
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := hs.Shutdown(sctx); err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// stores are the screen's contact and account stores and import history.
type stores struct {
	contacts importer.Store
	accounts accounts.Store
	history  importer.History
	close    func()
}

// openStores opens the SQLite database (creating and migrating it, the
// import history's tables too), or the in-memory stores for ":memory:".
func openStores(ctx context.Context, db string) (*stores, error) {
	if db == memoryDB {
		return &stores{memstore.New(), memstore.NewAccounts(), memstore.NewHistory(), func() {}}, nil
	}
	st, err := sqlstore.Open(ctx, db, sqlstore.Config{})
	if err != nil {
		return nil, fmt.Errorf("cannot open the database: %w", err)
	}
	h, err := sqlstore.NewHistory(st.DB(), sqlstore.HistoryConfig{})
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err == nil {
		err = h.Migrate(ctx)
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("cannot prepare the database %s: %w", db, err)
	}
	return &stores{st, st, h, func() { st.Close() }}, nil
}

// osUser is who starts the imports: this example has no login, so the
// user running it.
func osUser(*http.Request) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "webimport"
}
