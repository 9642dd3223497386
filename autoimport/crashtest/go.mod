module github.com/contactkit/contactkit/autoimport/crashtest

go 1.25.0

require github.com/contactkit/contactkit v0.0.0-00010101000000-000000000000

require github.com/contactkit/contactkit/importer/sqlstore v0.0.0-00010101000000-000000000000

require (
	github.com/contactkit/contactkit/autoimport/sqlstate v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
	modernc.org/sqlite v1.59.0
)

require (
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/gocarina/gocsv v0.0.0-20240520201108-78e41c74b4b1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.0.0 // indirect
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
	modernc.org/libc v1.75.7 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)

replace github.com/contactkit/contactkit => ../..

replace github.com/contactkit/contactkit/importer/sqlstore => ../../importer/sqlstore

replace github.com/contactkit/contactkit/autoimport/sqlstate => ../sqlstate
