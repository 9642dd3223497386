// Command ckbench measures contactkit's CSV import against the floor (a
// bare encoding/csv read) and against what a Go developer writes by hand
// today, on a generated file of realistic contacts.
//
// Usage:
//
//	go run ./cmd/ckbench [-rows 1000000] [-seed 1] [-file PATH] [-stages floor,baseline,import,dryrun]
//	                     [-sqlite FILE] [-postgres URL] [-batch N] [-count N] [-json] [-cpuprofile FILE] [-memprofile FILE]
//
// It first writes the file (streamed: any size; the same -rows and -seed
// give the same bytes, and an existing file generated for them is reused,
// as its side file PATH.meta.json says): e-mail (about 2% invalid, 3%
// repeated from an earlier row, sometimes in another case), first and last
// names of ten countries (many with non-ASCII letters), phone numbers of
// those countries in national and international formats (20% empty, 3%
// garbage, some of another country than the contact's), a few thousand
// companies with near-duplicate spellings, city, country (the phone's most
// of the time, as an ISO code or a name), ISO birthday (some malformed),
// "|"-separated tags and a newsletter status. Its header is what an export
// uses, and contactkit's suggested mapping maps every column.
//
// Then it runs each stage in a child process (itself re-executed with a
// hidden -stage flag), so that each stage's peak memory is its own:
//
//   - floor: encoding/csv reads every record with ReuseRecord;
//   - baseline: gocsv unmarshals the whole file into a slice of structs,
//     then net/mail parses each address, phonenumbers Parse, IsValidNumber
//     and Format(E164) each phone, and a map drops repeated addresses;
//   - import: importer.Import into memstore with the default schema, the
//     suggested mapping, e-mail dedupe, accounts created and linked, region US;
//   - dryrun: the same as a dry run, what examples/csvimport -db :memory:
//     -dry-run does;
//   - sqlite, postgres: the import into importer/sqlstore (a new SQLite
//     file, or a schema of its own in PostgreSQL, removed afterwards).
//
// For each stage it prints wall and CPU time (user + system, all threads)
// of the work, the CPU cores used on average, the child's peak resident
// memory (and the part of it reached before the work began: the program's
// code and data pages, the runtime and the package initializations, which
// every stage pays alike),
// rows per second, heap allocations and bytes allocated per row, and the
// ratios of wall time and peak memory to the floor and to the baseline of
// the same run. It checks that every stage read every row and that an
// import's counts add up (rows = created + updated + unchanged + skipped +
// failed), and exits with status 1 otherwise.
//
// -batch sets the rows per store call of the import stages
// (importer.Config.BatchSize; by default the importer's own, as csvimport
// uses), to measure what bigger batches buy the database stores.
//
// With -cpuprofile, each stage's child writes a CPU profile of its work
// (file-STAGE.ext when several stages run), for go tool pprof.
package main
