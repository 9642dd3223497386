package validate_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

func ExampleValue() {
	res, err := validate.Value(validate.Date, "31/01/2024", validate.Rules{Layouts: []string{"02/01/2006"}})
	fmt.Println(res.Value, err)

	_, err = validate.Value(validate.Date, "2023-02-30", validate.Rules{})
	fmt.Println(validate.CodeOf(err), errors.Is(err, validate.ErrDate))

	_, err = validate.Value(validate.Integer, "08123", validate.Rules{})
	fmt.Println(err)
	// Output:
	// 2024-01-31 <nil>
	// date.impossible true
	// validate: integer.leading_zero: leading zero: this looks like a code, not a number
}

func ExampleRule_Check() {
	email, err := validate.New(validate.Email, validate.Rules{})
	if err != nil {
		panic(err)
	}
	res, err := email.Check("  Ana.Lopez@GMIAL.com ")
	fmt.Println(res.Value, res.Key, err)
	// A likely typo is a warning with a suggestion; the value is not changed.
	fmt.Println(res.Warning.Code, res.Warning.Suggestion)

	// A name around the address is dropped, with a warning.
	res, err = email.Check("Ana Lopez <ana@example.com>")
	fmt.Println(res.Value, res.Warning.Code, err)

	_, err = email.Check("ana.example.com")
	var ve *validate.Error
	if errors.As(err, &ve) {
		fmt.Println(ve.Code, ve.Message)
	}
	// Output:
	// Ana.Lopez@gmial.com ana.lopez@gmial.com <nil>
	// email.typo Ana.Lopez@gmail.com
	// ana@example.com email.display_name <nil>
	// email.invalid no @ in the address
}

func ExampleRule_Check_phone() {
	phone, err := validate.New(validate.Phone, validate.Rules{DefaultRegion: "ES"})
	if err != nil {
		panic(err)
	}
	for _, raw := range []string{"612 34 56 78", "0044 20 7946 0018", "+1 (415) 555-2671", "612 34", "3.4612345678E+10"} {
		res, err := phone.Check(raw)
		if err != nil {
			var ve *validate.Error
			errors.As(err, &ve)
			fmt.Println(strings.TrimSpace(fmt.Sprintf("%-20s %s %s", raw, ve.Code, ve.Suggestion)))
			continue
		}
		fmt.Printf("%-20s %s\n", raw, res.Value)
	}
	// Output:
	// 612 34 56 78         +34612345678
	// 0044 20 7946 0018    +442079460018
	// +1 (415) 555-2671    +14155552671
	// 612 34               phone.too_short
	// 3.4612345678E+10     phone.spreadsheet_mangled +34612345678
}

func ExampleRule_CheckRegion() {
	phone, err := validate.New(validate.Phone, validate.Rules{DefaultRegion: "US"})
	if err != nil {
		panic(err)
	}
	// The region of each row comes from its country column.
	res, _ := phone.CheckRegion("020 7946 0018", "United Kingdom")
	fmt.Println(res.Value)
	res, _ = phone.CheckRegion("(415) 555-2671", "")
	fmt.Println(res.Value)
	// Output:
	// +442079460018
	// +14155552671
}

func ExampleRegion() {
	// A country column as people write it, in their language.
	for _, country := range []string{"Deutschland", "日本", "대한민국", "Россия", "usa"} {
		code, _ := validate.Region(country)
		fmt.Println(code)
	}
	// Output:
	// DE
	// JP
	// KR
	// RU
	// US
}

func ExampleDetectDateOrder() {
	column := []string{"03/04/2024", "13/04/2024", "05/06/2024"}
	switch order := validate.DetectDateOrder(column); order {
	case validate.OrderDayFirst:
		fmt.Println("read as dd/mm/yyyy")
	case validate.OrderMonthFirst:
		fmt.Println("read as mm/dd/yyyy")
	default:
		fmt.Println("ask the user:", order)
	}
	fmt.Println(validate.DetectDateOrder([]string{"03/04/2024", "05/06/2024"}))
	// Output:
	// read as dd/mm/yyyy
	// ambiguous
}

func ExampleSniff() {
	kind, share := validate.Sniff([]string{"ana@example.com", "+34 612 34 56 78", "(415) 555-2671", ""})
	fmt.Printf("%s %.2f\n", kind, share)
	// Output:
	// phone 0.67
}

func ExampleRule_Check_multiSelect() {
	rule, err := validate.New(validate.MultiSelect, validate.Rules{
		Separator: ",",
		Options:   []validate.Option{{ID: "sports", Synonyms: []string{"sport"}}, {ID: "music"}, {ID: "travel"}},
	})
	if err != nil {
		panic(err)
	}
	res, err := rule.Check("Music, sport, music")
	fmt.Println(res.Value, len(res.Values), err)
	// Output:
	// music|sports 2 <nil>
}
