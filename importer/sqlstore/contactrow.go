package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/contactkit/contactkit/importer"
)

// contactColumns are the columns a contact is read from, in scanContact's
// order. fields and tags are JSON (schema version 5).
const contactColumns = `id, email, phone, external_id, status, account_id, duplicate, fields, tags`

// scanContact reads a row of contactColumns.
func scanContact(rows *sql.Rows) (importer.Contact, error) {
	var (
		id           int64
		c            importer.Contact
		fields, tags []byte
	)
	if err := rows.Scan(&id, &c.Email, &c.Phone, &c.ExternalID, &c.Status, &c.AccountID, &c.Duplicate, &fields, &tags); err != nil {
		return c, err
	}
	c.ID = formatID(id)
	var err error
	if c.Fields, err = decodeFields(fields); err != nil {
		return c, fmt.Errorf("contact %s: fields: %w", c.ID, err)
	}
	if c.Tags, err = decodeTags(tags); err != nil {
		return c, fmt.Errorf("contact %s: tags: %w", c.ID, err)
	}
	return c, nil
}

// emptyJSON reports whether b is an empty JSON object or array, as most
// stored contacts' tags (and some fields) are: no decoding needed.
func emptyJSON(b []byte) bool {
	return len(b) == 0 || string(b) == "{}" || string(b) == "[]"
}

// decodeFields decodes a fields column; nil when it holds none.
func decodeFields(b []byte) (map[string]string, error) {
	if emptyJSON(b) {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// decodeTags decodes a tags column; nil when it holds none.
func decodeTags(b []byte) ([]string, error) {
	if emptyJSON(b) {
		return nil, nil
	}
	var ts []string
	if err := json.Unmarshal(b, &ts); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return ts, nil
}

// encodeFields encodes field values as the fields column: a JSON object,
// keys sorted. A key or value that is not valid UTF-8 fails (JSON cannot
// hold it unchanged), naming the key but never the value.
func encodeFields(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	for k, v := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return "", fmt.Errorf("field %q: %w", k, errNotUTF8)
		}
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// encodeTags encodes tags, in order, as the tags column: a JSON array.
func encodeTags(ts []string) (string, error) {
	if len(ts) == 0 {
		return "[]", nil
	}
	for _, t := range ts {
		if !utf8.ValidString(t) {
			return "", fmt.Errorf("a tag: %w", errNotUTF8)
		}
	}
	b, err := json.Marshal(ts)
	return string(b), err
}

var errNotUTF8 = errors.New("not valid UTF-8")
