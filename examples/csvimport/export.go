package main

import (
	"context"
	"encoding/csv"
	"io"
	"strings"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// -export FILE writes every stored contact as CSV: a header of the schema's
// labels (what the mapping suggestion reads back) and one row per contact
// in creation order, each value as stored (normalized), the account as its
// name, tags joined by the field's separator ("|"). Every cell passes
// through mapping.NeutralizeFormula. The file is written through
// atomicFile, so it appears whole or not at all.

// exportContacts writes every contact of st to path and returns how many.
func exportContacts(ctx context.Context, st *stores, schema *mapping.Schema, path string) (int, error) {
	names, err := accountNames(ctx, st.accounts)
	if err != nil {
		return 0, failf("cannot export: reading the accounts: %w", err)
	}
	out, err := createAtomic(path)
	if err != nil {
		return 0, failf("cannot write the export: %w", err)
	}
	defer out.abort()
	w := csv.NewWriter(out)
	row := make([]string, len(schema.Fields))
	for i, f := range schema.Fields {
		row[i] = f.Label
		if row[i] == "" {
			row[i] = f.Key
		}
	}
	if err := writeRow(w, row); err != nil {
		return 0, failf("cannot write the export: %w", err)
	}
	n := 0
	err = st.each(ctx, func(c importer.Contact) error {
		for i := range schema.Fields {
			row[i] = exportValue(&schema.Fields[i], &c, names)
		}
		n++
		return writeRow(w, row)
	})
	if err != nil {
		return 0, failf("cannot export: %w", err)
	}
	if w.Flush(); w.Error() != nil {
		return 0, failf("cannot write the export: %w", w.Error())
	}
	if err := out.commit(); err != nil {
		return 0, failf("cannot write the export: %w", err)
	}
	return n, nil
}

func writeRow(w *csv.Writer, row []string) error {
	safe := make([]string, len(row))
	for i, c := range row {
		safe[i] = mapping.NeutralizeFormula(c)
	}
	return w.Write(safe)
}

// exportValue is the value of field f of c as the export writes it.
func exportValue(f *mapping.Field, c *importer.Contact, accountName map[string]string) string {
	switch f.Role {
	case mapping.RoleEmail:
		return c.Email
	case mapping.RolePhone:
		return c.Phone
	case mapping.RoleExternalID:
		return c.ExternalID
	case mapping.RoleStatus:
		return string(c.Status)
	case mapping.RoleAccount:
		return accountName[c.AccountID]
	case mapping.RoleTags:
		sep := f.Rules.Separator
		if sep == "" {
			sep = "|"
		}
		return strings.Join(c.Tags, sep)
	}
	return c.Fields[f.Key]
}

// accountNames maps account IDs to names (none when st cannot list them).
func accountNames(ctx context.Context, st accounts.Store) (map[string]string, error) {
	names := map[string]string{}
	l, ok := st.(accounts.Lister)
	if !ok {
		return names, nil
	}
	for a, err := range l.ListAccounts(ctx) {
		if err != nil {
			return nil, err
		}
		names[a.ID] = a.Name
	}
	return names, nil
}

var _ io.Writer = (*atomicFile)(nil)
