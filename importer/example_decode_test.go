package importer_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/csvreader"
)

// Decode streams rows into a struct; the columns it lacks are in Extra.
func ExampleDecode() {
	type contact struct {
		Name  string `csv:"Name"`
		Email string `csv:"Email"`
		Score int    `csv:"Score"`
	}
	r, err := csvreader.NewReader(strings.NewReader("Name\tEmail\tScore\tTwitter\nAda\tada@example.com\t9\t@ada\nBob\tbob@example.com\tlots\t\n"), csvreader.Config{})
	if err != nil {
		log.Fatal(err)
	}
	for row, err := range importer.Decode[contact](r) {
		if errors.Is(err, csvreader.ErrDecode) {
			fmt.Println("line", row.Line, "skipped")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		twitter, _ := row.Lookup("Twitter")
		fmt.Printf("%+v %s\n", row.Value, twitter)
	}
	// Output:
	// {Name:Ada Email:ada@example.com Score:9} @ada
	// line 3 skipped
}
