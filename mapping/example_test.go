package mapping_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func ExampleSuggest() {
	header := []string{"Vorname", "Nachname", "E-Mail-Adresse", "Mobil", "Firma", "E-mail 2", ""}
	sample := [][]string{
		{"Jane", "Doe", "jane@example.com", "+49 151 23456789", "ACME", "", "VIP"},
		{"Max", "Muster", "max@example.de", "+49 160 1234567", "Muster AG", "m@example.org", ""},
	}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	for _, c := range sug.Mapping.Columns {
		field := c.Field
		if field == "" {
			field = "-"
		}
		fmt.Printf("%-16q -> %-10s %-8s %.2f\n", c.Header, field, c.Match, c.Confidence)
	}
	fmt.Println("repeated:", sug.Repeated)
	fmt.Println("unmapped:", sug.Unmapped)
	fmt.Println("err:", sug.Err)
	// Output:
	// "Vorname"        -> first_name synonym  0.95
	// "Nachname"       -> last_name  synonym  0.95
	// "E-Mail-Adresse" -> email      synonym  1.00
	// "Mobil"          -> phone      synonym  0.95
	// "Firma"          -> account    synonym  0.95
	// "E-mail 2"       -> email      name     0.85
	// ""               -> -                   0.00
	// repeated: []
	// unmapped: [6]
	// err: <nil>
}

func ExampleSuggest_missingEmail() {
	sug := mapping.Suggest([]string{"Name", "Phone"}, nil, mapping.DefaultSchema())
	fmt.Println(sug.Missing)
	fmt.Println(errors.Is(sug.Err, mapping.ErrNoEmail))
	// Output:
	// [email]
	// true
}

func ExampleMapping_Compile() {
	s := mapping.DefaultSchema()
	m := mapping.NewMapping([]string{"Email", "Name", "Labels"})
	m.Columns[0].Field = "email"
	m.Columns[1].Field = "first_name"
	m.Columns[1].Transform = mapping.Transform{Op: mapping.OpSplitName, Field: "last_name"}
	m.Columns[2].Field = "tags"
	m.Columns[2].Transform = mapping.Transform{Op: mapping.OpSplit, Sep: ":::"}
	m.Constants = []mapping.Constant{{Field: "tags", Value: "fair-2024"}}

	p, err := m.Compile(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	var vals []mapping.Value // reused for every row
	for _, row := range [][]string{
		{"jane@example.com", "Dr. Jane van der Berg", "vip ::: press"},
		{"max@example.com", "Max", ""},
	} {
		vals = p.Apply(row, vals)
		for _, key := range []string{"email", "first_name", "last_name", "tags", "city"} {
			v := vals[s.Index(key)]
			fmt.Printf("%s=%q(%s,col %d)\n", key, v.Raw, v.State, v.Column)
		}
	}

	// Two columns for one single-valued field cannot work.
	m.Columns[2].Field, m.Columns[2].Transform = "email", mapping.Transform{}
	_, err = m.Compile(s)
	fmt.Println(errors.Is(err, mapping.ErrDuplicateField))
	// Output:
	// email="jane@example.com"(present,col 1)
	// first_name="Jane"(present,col 2)
	// last_name="van der Berg"(present,col 2)
	// tags="vip|press|fair-2024"(present,col 3)
	// city=""(absent,col 0)
	// email="max@example.com"(present,col 1)
	// first_name="Max"(present,col 2)
	// last_name=""(empty,col 2)
	// tags="fair-2024"(present,col 0)
	// city=""(absent,col 0)
	// true
}

func ExamplePlan_Preview() {
	s := mapping.DefaultSchema()
	rows := [][]string{{"Jane@Example.COM", "612 345 678", "ES"}, {"jane(at)example.com", "", ""}}
	sug := mapping.Suggest([]string{"Email", "Phone", "Country"}, rows, s)
	p, err := sug.Mapping.Compile(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range p.Preview(rows, 2) {
		for _, key := range []string{"email", "phone"} {
			c := r.Cells[s.Index(key)]
			fmt.Printf("%s: raw=%q stored=%q code=%q\n", key, c.Raw, c.Normalized, validate.CodeOf(c.Err))
		}
	}
	// Output:
	// email: raw="Jane@Example.COM" stored="Jane@example.com" code=""
	// phone: raw="612 345 678" stored="+34612345678" code=""
	// email: raw="jane(at)example.com" stored="" code="email.invalid"
	// phone: raw="" stored="" code=""
}

func ExampleWriteTemplate() {
	if err := mapping.WriteTemplate(os.Stdout, mapping.DefaultSchema()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Email,First name,Last name,Phone,Company,Job title,City,Country,Birthday,Tags,Newsletter
	// jane.doe@example.com,Jane,Doe,'+1 415 555 0132,Example Inc.,Sales manager,Springfield,United States,1990-05-17,customer|newsletter,subscribed
}

func ExampleSuggester() {
	s := mapping.DefaultSchema()

	// Last month's file: the host fixed the suggestion and saved it.
	first := mapping.Suggest([]string{"Mail", "Kundennr", "Segment"}, nil, s).Mapping
	first.Columns[2].Field = "" // not imported after all
	first.Constants = []mapping.Constant{{Field: "tags", Value: "partner"}}

	// This month's file has the same header, spelled a little differently.
	g := mapping.Suggester{Saved: []*mapping.Mapping{first}}
	sug := g.Suggest([]string{"MAIL", "kundennr", "segment"}, nil, s)
	fmt.Println(sug.Saved, sug.Mapping.Columns[0].Field, sug.Mapping.Columns[2].Field == "", sug.Mapping.Constants)
	// Output:
	// true email true [{tags partner}]
}
