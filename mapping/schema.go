package mapping

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// Role says which field plays a special part in an import: the e-mail that
// identifies a contact, the phone, the link to an account, and so on. At
// most one field of a Schema has each role, except RoleNone.
type Role string

// The roles a field can play.
const (
	RoleNone       Role = ""            // an ordinary field
	RoleEmail      Role = "email"       // the contact's e-mail; exactly one field, of Kind Email
	RolePhone      Role = "phone"       // the main phone, of Kind Phone
	RoleAccount    Role = "account"     // the name of the contact's account (company)
	RoleStatus     Role = "status"      // the subscription status (an Enum or Boolean)
	RoleExternalID Role = "external_id" // the contact's ID in another system
	RoleTags       Role = "tags"        // tags, of Kind MultiSelect
	RoleFirstName  Role = "first_name"  // given name(s)
	RoleLastName   Role = "last_name"   // family name
	RoleFullName   Role = "full_name"   // the whole name in one field
	RoleCountry    Role = "country"     // the country, also used as the region of national phone numbers
	RoleDomain     Role = "domain"      // an account's web domain ("acme.com")
)

// Entity is what a schema's records are: contacts (the zero Entity) or
// accounts (companies).
type Entity string

// The entities a schema can describe.
const (
	// EntityContact: the key field is the one with RoleEmail.
	EntityContact Entity = ""
	// EntityAccount: the key field is the one with RoleAccount, the
	// account's name; no e-mail field is needed.
	EntityAccount Entity = "account"
)

var knownRoles = map[Role]bool{
	RoleNone: true, RoleEmail: true, RolePhone: true, RoleAccount: true, RoleStatus: true,
	RoleExternalID: true, RoleTags: true, RoleFirstName: true, RoleLastName: true,
	RoleFullName: true, RoleCountry: true, RoleDomain: true,
}

// roleKinds lists, for the roles that need one, the kinds a field with that
// role may have. Roles absent here accept any kind but MultiSelect.
var roleKinds = map[Role][]validate.Kind{
	RoleEmail:  {validate.Email},
	RolePhone:  {validate.Phone},
	RoleTags:   {validate.MultiSelect},
	RoleStatus: {validate.Enum, validate.Boolean},
}

// Field is one of the host's contact fields. Custom fields are fields like
// any other.
type Field struct {
	// Key identifies the field in mappings and in stored contacts,
	// e.g. "first_name". Keys are unique within a Schema.
	Key string `json:"key"`
	// Label is the name shown to people and written in templates; if
	// empty, Key is used.
	Label string `json:"label"`
	// Kind is the kind of value; the zero Kind is Text.
	Kind validate.Kind `json:"kind"`
	// Required fields must be filled by a column or a constant, and every
	// row must have a value for them.
	Required bool `json:"required,omitempty"`
	// Role is the special part the field plays, if any.
	Role Role `json:"role,omitempty"`
	// Rules configure the field's validation; Enum and MultiSelect
	// options live in Rules.Options.
	Rules validate.Rules `json:"rules,omitempty"`
	// Aliases are further headers that mean this field ("Kundennummer"),
	// matched like the label: case, spacing, punctuation and accents
	// ignored.
	Aliases []string `json:"aliases,omitempty"`
}

// label returns Label, or Key when Label is empty.
func (f *Field) label() string {
	if f.Label != "" {
		return f.Label
	}
	return f.Key
}

// kind returns Kind, with the zero Kind read as Text.
func (f *Field) kind() validate.Kind {
	if f.Kind == "" {
		return validate.Text
	}
	return f.Kind
}

// Multi reports whether the field holds several values (a MultiSelect, such
// as tags): several columns and constants may feed it, and their values
// are joined.
func (f *Field) Multi() bool { return f.kind() == validate.MultiSelect }

// separator returns the separator of a multi-valued field's values.
func (f *Field) separator() string {
	if f.Rules.Separator != "" {
		return f.Rules.Separator
	}
	return "|"
}

// Schema is the host's list of contact fields. It is serialized as JSON
// ({"fields": [...]}) and must pass Validate before use. A Schema is not
// modified by this package and may be shared by goroutines once built.
type Schema struct {
	// Entity is what the records are; zero means contacts.
	Entity Entity  `json:"entity,omitempty"`
	Fields []Field `json:"fields"`
}

// KeyRole is the role of the field every record must have and every
// mapping must feed from a column: RoleEmail for contacts, RoleAccount (the
// name) for accounts.
func (s *Schema) KeyRole() Role {
	if s.Entity == EntityAccount {
		return RoleAccount
	}
	return RoleEmail
}

// Index returns the index of the field with key, or -1.
func (s *Schema) Index(key string) int {
	for i := range s.Fields {
		if s.Fields[i].Key == key {
			return i
		}
	}
	return -1
}

// ByRole returns the index of the field with role r, or -1. ByRole(RoleNone)
// is always -1.
func (s *Schema) ByRole(r Role) int {
	if r == RoleNone {
		return -1
	}
	for i := range s.Fields {
		if s.Fields[i].Role == r {
			return i
		}
	}
	return -1
}

// Validate checks that the schema can be used: at least one field; keys
// non-empty, without surrounding space or control characters, and unique;
// known kinds and roles; at most one field per role; exactly one field with
// RoleEmail, of Kind Email; RolePhone on a Phone field, RoleTags on a
// MultiSelect, RoleStatus on an Enum or Boolean, no other role on a
// MultiSelect; options for every Enum and for every MultiSelect without
// AnyValue, with non-empty, unique IDs; Rules that validate.New accepts;
// aliases that are not empty and do not name another field.
//
// It returns nil or every problem found, as *Error values joined with
// errors.Join; each matches ErrSchema.
func (s *Schema) Validate() error {
	_, err := s.compile()
	return err
}

// compile validates s and returns the compiled rule of every field.
func (s *Schema) compile() ([]*validate.Rule, error) {
	var errs []error
	rules := make([]*validate.Rule, len(s.Fields))
	add := func(code validate.Code, field, format string, args ...any) {
		errs = append(errs, &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(s.Fields) == 0 {
		add(CodeSchemaEmpty, "", "the schema has no fields")
		return nil, errors.Join(errs...)
	}
	keys := make(map[string]bool, len(s.Fields))
	roles := make(map[Role]string)
	// names maps every normalized key, label and alias to the field that
	// owns it, to find aliases that name two fields.
	names := make(map[string]string, 2*len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		if !validKey(f.Key) {
			add(CodeSchemaKey, f.Key, "field %d has an invalid key %q", i+1, f.Key)
		} else if keys[f.Key] {
			add(CodeSchemaDuplicateKey, f.Key, "two fields have the key %q", f.Key)
		}
		keys[f.Key] = true
		k := f.kind()
		if !knownKind(k) {
			add(CodeSchemaKind, f.Key, "field %q has an unknown kind %q", f.Key, f.Kind)
			continue
		}
		if !knownRoles[f.Role] {
			add(CodeSchemaRole, f.Key, "field %q has an unknown role %q", f.Key, f.Role)
		} else if f.Role != RoleNone {
			if other, dup := roles[f.Role]; dup {
				add(CodeSchemaDuplicateRole, f.Key, "fields %q and %q both have the role %q", other, f.Key, f.Role)
			} else {
				roles[f.Role] = f.Key
			}
			if ks, ok := roleKinds[f.Role]; ok && !containsKind(ks, k) {
				add(CodeSchemaRole, f.Key, "field %q has the role %q but the kind %q (want %s)", f.Key, f.Role, k, kindList(ks))
			} else if !ok && k == validate.MultiSelect {
				add(CodeSchemaRole, f.Key, "field %q has the role %q but is a multiselect", f.Key, f.Role)
			}
		}
		if msg := checkOptions(f, k); msg != "" {
			add(CodeSchemaOptions, f.Key, "field %q: %s", f.Key, msg)
		} else if r, err := validate.New(k, f.Rules); err != nil {
			errs = append(errs, &Error{Code: CodeSchemaRules, Field: f.Key,
				Message: fmt.Sprintf("field %q: %v", f.Key, err)})
		} else {
			rules[i] = r
		}
		for _, n := range []string{NormalizeHeader(f.Key), NormalizeHeader(f.label())} {
			if n != "" && names[n] == "" {
				names[n] = f.Key
			}
		}
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		for _, a := range f.Aliases {
			n := NormalizeHeader(a)
			switch owner := names[n]; {
			case n == "":
				add(CodeSchemaAlias, f.Key, "field %q has an empty alias %q", f.Key, a)
			case owner != "" && owner != f.Key:
				add(CodeSchemaAlias, f.Key, "alias %q of field %q also names field %q", a, f.Key, owner)
			default:
				names[n] = f.Key
			}
		}
	}
	switch s.Entity {
	case EntityContact:
		if roles[RoleEmail] == "" {
			add(CodeSchemaNoEmail, "", "no field has the role %q", RoleEmail)
		}
	case EntityAccount:
		if roles[RoleAccount] == "" {
			add(CodeSchemaNoKey, "", "an account schema needs a field with the role %q (the account name)", RoleAccount)
		}
	default:
		add(CodeSchemaEntity, "", "unknown entity %q", s.Entity)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

func validKey(k string) bool {
	if k == "" || !utf8.ValidString(k) || strings.TrimSpace(k) != k {
		return false
	}
	for _, r := range k {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

var allKinds = []validate.Kind{validate.Text, validate.Email, validate.Phone, validate.Date,
	validate.Integer, validate.Decimal, validate.Boolean, validate.Enum, validate.MultiSelect}

func knownKind(k validate.Kind) bool { return containsKind(allKinds, k) }

func containsKind(ks []validate.Kind, k validate.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func kindList(ks []validate.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}

// checkOptions returns what is wrong with f's options, or "".
func checkOptions(f *Field, k validate.Kind) string {
	if k != validate.Enum && k != validate.MultiSelect {
		return ""
	}
	if len(f.Rules.Options) == 0 {
		if k == validate.MultiSelect && f.Rules.AnyValue {
			return ""
		}
		return "no options"
	}
	seen := make(map[string]bool, len(f.Rules.Options))
	for _, o := range f.Rules.Options {
		id := strings.ToLower(strings.TrimSpace(o.ID))
		if id == "" {
			return "an option has an empty ID"
		}
		if seen[id] {
			return fmt.Sprintf("option %q appears twice", o.ID)
		}
		seen[id] = true
	}
	return ""
}

// DefaultAccountSchema returns a new copy of the account schema used by
// the examples and tests: name (required, RoleAccount), domain (RoleDomain,
// "Website"), phone (RolePhone, read with the row's country), industry, city, country (RoleCountry), employees
// (Integer) and description.
func DefaultAccountSchema() *Schema {
	return &Schema{Entity: EntityAccount, Fields: []Field{
		{Key: "name", Label: "Account name", Kind: validate.Text, Required: true, Role: RoleAccount,
			Aliases: []string{"Name", "Company name", "Organization name", "Account"}},
		{Key: "domain", Label: "Website", Kind: validate.Text, Role: RoleDomain,
			Aliases: []string{"Domain", "Company domain", "URL", "Web site", "Account URL"}},
		{Key: "phone", Label: "Phone", Kind: validate.Phone, Role: RolePhone},
		{Key: "industry", Label: "Industry", Kind: validate.Text},
		{Key: "city", Label: "City", Kind: validate.Text},
		{Key: "country", Label: "Country", Kind: validate.Text, Role: RoleCountry},
		{Key: "employees", Label: "Employees", Kind: validate.Integer, Aliases: []string{"Number of employees", "Headcount"}},
		{Key: "description", Label: "Description", Kind: validate.Text},
	}}
}

// DefaultSchema returns a new copy of the contact schema used by the
// examples and tests: email (required, RoleEmail), first_name, last_name,
// phone (RolePhone), account (RoleAccount, labelled "Company"), job_title,
// city, country (RoleCountry), birthday (Date, validate.Rules.Birthday), tags (MultiSelect with
// AnyValue, RoleTags) and newsletter (Enum subscribed/unsubscribed/none,
// RoleStatus, which also reads yes/no/true/false).
func DefaultSchema() *Schema {
	return &Schema{Fields: []Field{
		{Key: "email", Label: "Email", Kind: validate.Email, Required: true, Role: RoleEmail},
		{Key: "first_name", Label: "First name", Kind: validate.Text, Role: RoleFirstName},
		{Key: "last_name", Label: "Last name", Kind: validate.Text, Role: RoleLastName},
		{Key: "phone", Label: "Phone", Kind: validate.Phone, Role: RolePhone},
		{Key: "account", Label: "Company", Kind: validate.Text, Role: RoleAccount},
		{Key: "job_title", Label: "Job title", Kind: validate.Text},
		{Key: "city", Label: "City", Kind: validate.Text},
		{Key: "country", Label: "Country", Kind: validate.Text, Role: RoleCountry},
		{Key: "birthday", Label: "Birthday", Kind: validate.Date, Rules: validate.Rules{Birthday: true}},
		{Key: "tags", Label: "Tags", Kind: validate.MultiSelect, Role: RoleTags,
			Rules: validate.Rules{AnyValue: true}},
		{Key: "newsletter", Label: "Newsletter", Kind: validate.Enum, Role: RoleStatus,
			Rules: validate.Rules{Options: []validate.Option{
				{ID: "subscribed", Label: "Subscribed", Synonyms: []string{"yes", "true", "y", "1", "opted in", "opt-in"}},
				{ID: "unsubscribed", Label: "Unsubscribed", Synonyms: []string{"unsubscribe", "opted out", "opt-out"}},
				{ID: "none", Label: "Not subscribed", Synonyms: []string{"no", "false", "n", "0"}},
			}}},
	}}
}
