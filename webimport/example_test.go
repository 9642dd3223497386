package webimport_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"

	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/webimport"
)

// A host mounts the import screen under a path of its own router. Prefix
// tells the handler where it is, so that its links, redirects and cookie
// stay under it.
func Example() {
	contacts := memstore.New() // the host's importer.Store
	h, err := webimport.New(webimport.Config{Contacts: contacts, Prefix: "/import"})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close() // stops the janitor and running imports, removes the uploads

	mux := http.NewServeMux()
	mux.Handle("/import/", http.StripPrefix("/import", h))
	// … the host's own pages, and its authentication around mux.

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/import/", nil))
	page := rec.Body.String()
	fmt.Println(rec.Code)
	fmt.Println(regexp.MustCompile(`<title>(.*)</title>`).FindStringSubmatch(page)[1])
	fmt.Println(regexp.MustCompile(`action="([^"]*)"`).FindStringSubmatch(page)[1])
	fmt.Println(rec.Result().Cookies()[0].Path)
	// Output:
	// 200
	// Import contacts · contactkit
	// /import/upload
	// /import/
}

// With a History, every import the screen runs is recorded there, and the
// screen lists past imports at /history, each with its report, also after a
// restart. Config.User says who started an import.
func ExampleConfig_history() {
	history := memstore.NewHistory() // or sqlstore.NewHistory on the host's database
	h, err := webimport.New(webimport.Config{
		Contacts: memstore.New(),
		History:  history,
		User:     func(r *http.Request) string { return r.Header.Get("X-User") }, // the host's login
	})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/history", nil))
	fmt.Println(rec.Code)
	fmt.Println(regexp.MustCompile(`<title>(.*)</title>`).FindStringSubmatch(rec.Body.String())[1])
	// Output:
	// 200
	// Past imports · contactkit
}
