package validate

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// isoDateTimeLayouts are the date-time forms accepted by default after an
// ISO date; only the date part is kept, as written.
var isoDateTimeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// The Excel serial range: 1 is 1900-01-01, 2958465 is 9999-12-31.
const excelMaxSerial = 2958465

// checkDate: ISO 8601 yyyy-mm-dd (optionally followed by a time, which is
// dropped), then the configured Layouts in order or, without Layouts, the
// common forms (see the Date section of the package documentation), then
// Excel serial days (with ExcelSerial; without Layouts, five-digit serials
// too). A value of the right shape that names no real day (2023-02-30,
// month 13) is CodeDateImpossible; a "no date" value (NoDate) is empty;
// anything else that fits no form is CodeDateFormat.
func (r *Rule) checkDate(s string) (Result, *Error) {
	impossible := false
	if len(s) >= 10 {
		if y, m, d, ok := isoShape(s); ok {
			switch {
			case !validDay(y, m, d):
				impossible = true
			case len(s) == 10 && !r.rules.Birthday:
				return Result{Value: s}, nil // the common case, kept short
			case len(s) == 10:
				return r.dateResult(y, m, d, s)
			case s[10] == 'T' || s[10] == ' ':
				for _, l := range isoDateTimeLayouts {
					if _, err := time.Parse(l, s); err == nil {
						return r.dateResult(y, m, d, s[:10])
					} else if outOfRange(err) {
						impossible = true
					}
				}
			}
		}
	}
	if len(r.layouts) > 0 {
		for _, l := range r.layouts {
			t, err := time.Parse(l, s)
			if err == nil {
				if t.Year() < 1 || t.Year() > 9999 {
					impossible = true
					continue
				}
				return r.dateResult(t.Year(), int(t.Month()), t.Day(), "")
			}
			if outOfRange(err) {
				impossible = true
			}
		}
	} else if !impossible {
		switch y, m, d, p := parseCommonDate(s, r.rules.DateOrder, r.monthFirst); p {
		case dpOK:
			return r.dateResult(y, m, d, "")
		case dpNoDate:
			return Result{}, nil
		case dpImpossible:
			if o := r.rules.DateOrder; o == OrderDayFirst || o == OrderMonthFirst {
				return Result{}, newError(CodeDateImpossible, "%q is not a real date read %s (the order of its column)", s, o)
			}
			impossible = true
		}
	}
	if r.rules.ExcelSerial && allDigitsOrFraction(s) || len(r.layouts) == 0 && excelDefault(s) {
		n, ok := excelDays(s)
		if !ok || n < 1 || n > excelMaxSerial || n == 60 {
			return Result{}, newError(CodeDateImpossible, "%s is no day as an Excel serial number (1 is 1900-01-01, 60 is the 1900-02-29 that never was)", s)
		}
		var t time.Time
		if n < 60 {
			t = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
		} else {
			t = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
		}
		return r.dateResult(t.Year(), int(t.Month()), t.Day(), "")
	}
	if NoDate(s) {
		return Result{}, nil
	}
	if impossible {
		return Result{}, newError(CodeDateImpossible, "%q is not a real date", s)
	}
	return Result{}, newError(CodeDateFormat, "not a date in the expected format (%s)", r.expectedLayouts())
}

// excelDefault matches the Excel serials read without ExcelSerial: five
// digits (10000 is 1927-05-18, 99999 is 2173-10-14), optionally with a
// fraction for the time.
func excelDefault(s string) bool {
	i, _, _ := strings.Cut(s, ".")
	return len(i) == 5 && allDigitsOrFraction(s)
}

// dateResult is the Result for a real day; iso, when not empty, is the
// value itself in yyyy-mm-dd form. A year-less date (y == 0) is kept as
// --mm-dd for a Birthday and is CodeDateFormat otherwise; a Birthday
// before 1900 or after today is CodeDateRange.
func (r *Rule) dateResult(y, m, d int, iso string) (Result, *Error) {
	if y == 0 {
		if !r.rules.Birthday {
			return Result{}, newError(CodeDateFormat, "a day and month without a year (only a birthday may have none)")
		}
		b := [7]byte{'-', '-', byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
		return Result{Value: string(b[:])}, nil
	}
	if r.rules.Birthday {
		if y < 1900 {
			return Result{}, newError(CodeDateRange, "a birthday before 1900")
		}
		if y*10000+m*100+d > r.today {
			return Result{}, newError(CodeDateRange, "a birthday in the future")
		}
	}
	if iso != "" {
		return Result{Value: iso}, nil
	}
	return Result{Value: formatDate(y, m, d)}, nil
}

func (r *Rule) expectedLayouts() string {
	var b strings.Builder
	b.WriteString("yyyy-mm-dd")
	for _, l := range r.layouts {
		b.WriteString(", ")
		b.WriteString(l)
	}
	if len(r.layouts) == 0 {
		b.WriteString(", d/m/y or m/d/y with / . or -, a month name, yyyymmdd")
	}
	if r.rules.ExcelSerial || len(r.layouts) == 0 {
		b.WriteString(", an Excel serial number")
	}
	return b.String()
}

// outOfRange reports whether time.Parse failed on a field value out of
// range (a day, month or hour that does not exist) rather than on shape.
func outOfRange(err error) bool {
	var pe *time.ParseError
	return errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range")
}

// isoShape reads dddd-dd-dd at the start of s.
func isoShape(s string) (y, m, d int, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, 0, false
		}
	}
	y = int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	m = int(s[5]-'0')*10 + int(s[6]-'0')
	d = int(s[8]-'0')*10 + int(s[9]-'0')
	return y, m, d, true
}

func validDay(y, m, d int) bool {
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func formatDate(y, m, d int) string {
	b := [10]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-',
		byte('0' + d/10), byte('0' + d%10),
	}
	return string(b[:])
}

// allDigitsOrFraction matches 45292 and 45292.5 (a serial with a time).
func allDigitsOrFraction(s string) bool {
	i, f, ok := strings.Cut(s, ".")
	if !ok {
		i, f, ok = strings.Cut(s, ",")
	}
	return i != "" && len(i) <= 9 && allDigits(i) && (!ok || f != "" && allDigits(f))
}

// excelDays returns the whole days of an Excel serial number.
func excelDays(s string) (int, bool) {
	i, _, _ := strings.Cut(s, ".")
	i, _, _ = strings.Cut(i, ",")
	n := 0
	for k := 0; k < len(i); k++ {
		n = n*10 + int(i[k]-'0')
	}
	return n, true
}

// DateOrder tells whether a column of dates is day-first, month-first, or
// ambiguous (every value reads both ways), for the importer to ask instead
// of guessing.
type DateOrder int

// The date orders of a column.
const (
	OrderUnknown    DateOrder = iota // no value has a d/m or m/d layout
	OrderDayFirst                    // some value only reads day-first (13/02/2024)
	OrderMonthFirst                  // some value only reads month-first (02/13/2024)
	OrderAmbiguous                   // every value reads both ways
	OrderConflict                    // values disagree: some only day-first, some only month-first
)

// String returns "unknown", "day-first", "month-first", "ambiguous" or
// "conflict".
func (o DateOrder) String() string {
	switch o {
	case OrderDayFirst:
		return "day-first"
	case OrderMonthFirst:
		return "month-first"
	case OrderAmbiguous:
		return "ambiguous"
	case OrderConflict:
		return "conflict"
	}
	return "unknown"
}

// DetectDateOrder inspects a column's values. It looks at values of the
// form a/b/yyyy or a/b/yy (separators "/", "-" or "."; a time after the
// date is ignored) and asks of each whether it is a real date read
// day-first, month-first, or both. Values of other forms (ISO yyyy-mm-dd,
// month names, text) and values that are a real date neither way are
// ignored. The scan is allocation-free.
func DetectDateOrder(values []string) DateOrder {
	dayOnly, monthOnly, both := false, false, false
	for _, v := range values {
		a, b, y, ok := slashDate(trimSpace(v))
		if !ok {
			continue
		}
		df := validDay(y, b, a)
		mf := validDay(y, a, b)
		switch {
		case df && mf:
			both = true
		case df:
			dayOnly = true
		case mf:
			monthOnly = true
		}
	}
	switch {
	case dayOnly && monthOnly:
		return OrderConflict
	case dayOnly:
		return OrderDayFirst
	case monthOnly:
		return OrderMonthFirst
	case both:
		return OrderAmbiguous
	}
	return OrderUnknown
}

// slashDate reads a sep b sep year with 1-2 digit a and b and a 2- or
// 4-digit year (two-digit years read as 2000-2099; only leap years
// matter here).
func slashDate(s string) (a, b, y int, ok bool) {
	n, w, rest, ok := dateTriple(s)
	if !ok || rest != "" && rest[0] != ' ' && rest[0] != 'T' {
		return 0, 0, 0, false
	}
	if w[0] > 2 || w[1] > 2 || (w[2] != 4 && w[2] != 2) {
		return 0, 0, 0, false
	}
	y = n[2]
	if w[2] == 2 {
		y += 2000
	}
	return n[0], n[1], y, true
}

// dateTriple reads three numbers of 1 to 5 digits separated twice by the
// same "/", "-" or ".", at the start of s: their values, their widths in
// digits, and what follows them. It does not allocate.
func dateTriple(s string) (n, w [3]int, rest string, ok bool) {
	var sep byte
	i := 0
	for k := 0; k < 3; k++ {
		j := i
		v := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-i < 5 {
			v = v*10 + int(s[j]-'0')
			j++
		}
		if j == i {
			return n, w, "", false
		}
		n[k], w[k] = v, j-i
		i = j
		if k < 2 {
			if i >= len(s) {
				return n, w, "", false
			}
			c := s[i]
			if c != '/' && c != '-' && c != '.' || k == 1 && c != sep {
				return n, w, "", false
			}
			sep = c
			i++
		}
	}
	return n, w, s[i:], true
}

// MarshalText returns the String of o: "day-first", "month-first", …
func (o DateOrder) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads what MarshalText writes; "" is OrderUnknown.
func (o *DateOrder) UnmarshalText(b []byte) error {
	for _, c := range []DateOrder{OrderUnknown, OrderDayFirst, OrderMonthFirst, OrderAmbiguous, OrderConflict} {
		if string(b) == c.String() {
			*o = c
			return nil
		}
	}
	if len(b) == 0 {
		*o = OrderUnknown
		return nil
	}
	return fmt.Errorf("validate: unknown date order %q", b)
}
