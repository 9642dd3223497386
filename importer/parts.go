package importer

import "github.com/contactkit/contactkit/mapping"

// contactPart is a dedicated part of a Contact: a schema role whose value
// the Contact keeps in a field of its own rather than in Fields. This table
// is the one place that says, per role, where the value lives, how the
// journal names it and how an update clears it; validating (a row's
// draft), the diff (an update's changes), clearing and a created row's
// changes all read it.
type contactPart struct {
	role mapping.Role
	// journal is the JournalChange.Field of the part.
	journal string
	// clear is the Update.Clear name that erases it; "" when a ClearToken
	// cannot erase it (the e-mail, a match key at least, and the status,
	// which has ClearStatus of its own).
	clear string
	get   func(*Contact) string
	set   func(*Contact, string)
	// update sets the part in an Update.
	update func(*Update, string)
	// same reports whether two values are one (the e-mail compares by
	// EmailKey); nil means byte for byte.
	same func(a, b string) bool
}

var contactParts = [...]contactPart{
	{role: mapping.RoleEmail, journal: JournalEmail,
		get:    func(c *Contact) string { return c.Email },
		set:    func(c *Contact, v string) { c.Email = v },
		update: func(u *Update, v string) { u.Email = v },
		same:   func(a, b string) bool { return EmailKey(a) == EmailKey(b) }},
	{role: mapping.RolePhone, journal: JournalPhone, clear: ClearPhone,
		get:    func(c *Contact) string { return c.Phone },
		set:    func(c *Contact, v string) { c.Phone = v },
		update: func(u *Update, v string) { u.Phone = v }},
	{role: mapping.RoleExternalID, journal: JournalExternalID, clear: ClearExternalID,
		get:    func(c *Contact) string { return c.ExternalID },
		set:    func(c *Contact, v string) { c.ExternalID = v },
		update: func(u *Update, v string) { u.ExternalID = v }},
	{role: mapping.RoleStatus, journal: JournalStatus,
		get:    func(c *Contact) string { return string(c.Status) },
		set:    func(c *Contact, v string) { c.Status = Status(v) },
		update: func(u *Update, v string) { u.Status = Status(v) }},
}

// The indexes of contactParts.
const (
	partEmail = iota
	partPhone
	partExternalID
	partStatus
)

// partOf returns the dedicated part of role, or nil for a role kept in
// Fields (or, like tags and the account, handled apart).
func partOf(role mapping.Role) *contactPart {
	for i := range contactParts {
		if contactParts[i].role == role {
			return &contactParts[i]
		}
	}
	return nil
}

// partCleared returns the part an Update.Clear name erases, or nil.
func partCleared(name string) *contactPart {
	for i := range contactParts {
		if p := &contactParts[i]; p.clear != "" && p.clear == name {
			return p
		}
	}
	return nil
}

// isSame reports whether a and b are one value of the part.
func (p *contactPart) isSame(a, b string) bool {
	if p.same != nil {
		return p.same(a, b)
	}
	return a == b
}
