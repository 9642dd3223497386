package webimport

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/contactkit/contactkit/mapping"
)

// steps are the wizard's steps, as the layout shows them.
var steps = []string{"Upload", "Columns", "Options", "Preview", "Import", "Report"}

var funcs = template.FuncMap{
	"bytes": humanBytes,
	"steps": func() []string { return steps },
	"add":   func(a, b int) int { return a + b },
	"join":  strings.Join,
	"clock": func(t time.Time) string { return t.Format("15:04:05") },
	"when":  func(t time.Time) string { return t.Local().Format("2 Jan 2006 15:04:05") },
	"delim": func(d string) string {
		if d == "" {
			return ""
		}
		return delimiterName(rune(d[0]))
	},
	"warnClass": func(w mapping.Warning) string {
		switch w.Code {
		case mapping.CodeValuesConflict, mapping.CodeValuesMixed:
			return "bad"
		}
		return "note"
	},
	"match": func(m string) string {
		switch mapping.Match(m) {
		case mapping.MatchSaved:
			return "saved mapping"
		case mapping.MatchName:
			return "header"
		case mapping.MatchSynonym:
			return "synonym"
		case mapping.MatchPartial:
			return "part of header"
		case mapping.MatchTypo:
			return "header, typo"
		case mapping.MatchValues:
			return "values"
		}
		return ""
	},
}

// parsePages parses each page with the layout; the pages' links start with
// prefix (Config.Prefix), which the template function root returns.
func parsePages(prefix string) (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	root := template.FuncMap{"root": func() string { return prefix }}
	for _, name := range []string{"home", "mapping", "options", "review", "job", "message", "history", "record", "undo"} {
		t, err := template.New(name).Funcs(funcs).Funcs(root).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("webimport: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}
