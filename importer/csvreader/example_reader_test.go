package csvreader_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/contactkit/contactkit/importer/csvreader"
)

// A LinkedIn export: a "Notes:" preamble, then the header. A short row is
// padded (a file-level warning), a stray quote is text (a warning on its
// row); only bytes invalid in the encoding make a row error.
func ExampleReader() {
	const export = "Notes:\n" +
		"\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n" +
		"\n" +
		"First Name,Last Name,Email Address,Company\n" +
		"Ana,García,,\"Acme, Inc.\"\n" +
		"Bob,Smith,bob@example.com\n" +
		"\n" +
		"Robert \"Bob\",Jones,rob@example.com,Initech\n" +
		"Eve,Jones,eve@example.com,Initech\n"

	r, err := csvreader.NewReader(strings.NewReader(export), csvreader.Config{})
	if err != nil {
		log.Fatal(err)
	}
	d := r.Dialect()
	fmt.Printf("%s, delimiter %q, header on line %d: %q\n", d.Encoding, d.Delimiter, d.HeaderLine, r.Header())
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var rowErr *csvreader.RowError
		if errors.As(err, &rowErr) {
			fmt.Println("skipped:", rowErr)
			continue
		}
		if err != nil {
			log.Fatal(err) // a *csvreader.ReadError: over a limit, or I/O
		}
		fmt.Printf("%d %q\n", rec.Line, rec.Fields)
		for _, w := range rec.Warnings {
			fmt.Println("  warning:", w)
		}
	}
	fmt.Println("blank rows:", r.BlankRows())
	for _, w := range r.FileWarnings() {
		fmt.Println("warning:", w)
	}
	// Output:
	// utf-8, delimiter ',', header on line 4: ["First Name" "Last Name" "Email Address" "Company"]
	// 5 ["Ana" "García" "" "Acme, Inc."]
	// 6 ["Bob" "Smith" "bob@example.com" ""]
	// 8 ["Robert \"Bob\"" "Jones" "rob@example.com" "Initech"]
	//   warning: csvreader: line 8, column 1 (First Name): csv.bare_quote: a quote inside an unquoted field: read as text
	// 9 ["Eve" "Jones" "eve@example.com" "Initech"]
	// blank rows: 1
	// warning: csvreader: line 6: csv.short_rows: rows shorter than the header: 1 row has fewer fields than the header's 4 (lines 6); their missing cells are empty
}

// Peek gives a mapping screen its sample, then the Reader for the import.
func ExamplePeek() {
	// A German Excel export: windows-1252, semicolons.
	upload := strings.NewReader("Vorname;Nachname;E-Mail\r\nJ\xfcrgen;Wei\xdf;j@example.de\r\n\xc4nne;\xd6zt\xfcrk;a@example.de\r\n")

	preview, r, err := csvreader.Peek(upload, csvreader.Config{}, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, %q: %q\n", preview.Dialect.Encoding, preview.Dialect.Delimiter, preview.Header)
	for _, row := range preview.Rows {
		fmt.Println("sample:", row.Fields)
	}
	for rec, err := range r.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("import:", rec.Fields)
	}
	// Output:
	// windows-1252, ';': ["Vorname" "Nachname" "E-Mail"]
	// sample: [Jürgen Weiß j@example.de]
	// import: [Jürgen Weiß j@example.de]
	// import: [Änne Öztürk a@example.de]
}
