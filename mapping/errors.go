package mapping

import (
	"strconv"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// Codes of the problems package mapping reports. Like validate's codes they
// are stable and have the form "area.reason": "schema.*" for a Schema that
// cannot work, "mapping.*" for a Mapping that cannot be compiled against its
// Schema, and "suggest.*" for the warnings Suggest attaches to columns.
const (
	// Schema problems, from Schema.Validate.
	CodeSchemaEmpty         validate.Code = "schema.empty"          // no fields at all
	CodeSchemaKey           validate.Code = "schema.key"            // an empty key, or one with surrounding space or control characters
	CodeSchemaDuplicateKey  validate.Code = "schema.duplicate_key"  // two fields with one key
	CodeSchemaKind          validate.Code = "schema.kind"           // an unknown Kind
	CodeSchemaRole          validate.Code = "schema.role"           // an unknown Role, or a role on a field of the wrong kind
	CodeSchemaDuplicateRole validate.Code = "schema.duplicate_role" // two fields with one role
	CodeSchemaNoEmail       validate.Code = "schema.no_email"       // no field with RoleEmail
	CodeSchemaNoKey         validate.Code = "schema.no_key"         // an account schema without a RoleAccount field
	CodeSchemaEntity        validate.Code = "schema.entity"         // an unknown Entity
	CodeSchemaOptions       validate.Code = "schema.options"        // an Enum or MultiSelect without options, or with empty or repeated option IDs
	CodeSchemaRules         validate.Code = "schema.rules"          // Rules that validate.New rejects
	CodeSchemaAlias         validate.Code = "schema.alias"          // an alias that is empty or names another field too

	// Mapping problems, from Mapping.Compile.
	CodeColumn          validate.Code = "mapping.column"           // Columns out of order: Columns[i].Index must be i
	CodeUnknownField    validate.Code = "mapping.unknown_field"    // a column or constant names a field the schema does not have
	CodeDuplicateField  validate.Code = "mapping.duplicate_field"  // two sources for one single-valued field
	CodeNoEmail         validate.Code = "mapping.no_email"         // no column feeds the e-mail field
	CodeNoKey           validate.Code = "mapping.no_key"           // no column feeds the account name (account schemas)
	CodeMissingRequired validate.Code = "mapping.missing_required" // a required field that no column or constant fills
	CodeTransform       validate.Code = "mapping.transform"        // an unknown transform, or one that does not fit its field
	CodeConstant        validate.Code = "mapping.constant"         // a constant that cannot be used (for the e-mail field, or with an invalid value)

	// Suggestion warnings, in Column.Warnings.
	CodeUnmapped       validate.Code = "suggest.unmapped"             // the column matches no field; it is not imported
	CodeRepeated       validate.Code = "suggest.repeated"             // the column repeats a field another column fills (E-mail 2, Home Phone); not imported
	CodeValuesConflict validate.Code = "suggest.values_conflict"      // the sample values contradict the header (a column named Email full of phone numbers)
	CodeValuesMixed    validate.Code = "suggest.values_mixed"         // some sample values do not fit the field
	CodeByValues       validate.Code = "suggest.by_values"            // the field was chosen from the sample values, not the header
	CodeEmptySample    validate.Code = "suggest.empty_sample"         // every sample value of the column is empty
	CodeMultiValue     validate.Code = "suggest.multi_value"          // cells hold several values (" ::: ", ";", ","); a transform picks or splits them
	CodeValuesDirty    validate.Code = "suggest.values_dirty"         // a clear header whose sample values mostly do not fit: kept, the bad values become row errors
	CodeFallback       validate.Code = "suggest.fallback"             // the column fills its field only in rows where the field's first column is empty (E-mail 2, a full name beside first and last name)
	CodeDateOrder      validate.Code = "suggest.date_order_ambiguous" // every sample date reads both day first and month first; the region's order was chosen
	CodeStatusMapped   validate.Code = "suggest.status_values"        // a status column's words (active, inactive, an unsubscribe time) are read as the field's options
)

// Error is a problem with a Schema or a Mapping. Schema.Validate and
// Mapping.Compile return one *Error per problem, joined with errors.Join;
// use errors.As to get the first, errors.Is with the sentinels below to
// test for a kind of problem, and Code for the stable reason.
type Error struct {
	// Code is the stable reason, one of the Code* constants of this package.
	Code validate.Code
	// Field is the key of the field concerned, if any.
	Field string
	// Column is the 1-based file column concerned, 0 if none.
	Column int
	// Message is a sentence for people, in English.
	Message string
}

// Error returns "mapping: <code>: <message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mapping: ")
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is a sentinel that matches e's code (ErrSchema
// matches every schema.* code, ErrMapping every mapping.* code, the others
// one code each) or an *Error with the same Code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *sentinel:
		return strings.HasPrefix(string(e.Code), t.prefix)
	case *Error:
		return t.Code == e.Code
	}
	return false
}

type sentinel struct{ prefix, msg string }

func (s *sentinel) Error() string { return s.msg }

// Sentinels for errors.Is.
var (
	// ErrSchema matches every problem Schema.Validate reports.
	ErrSchema error = &sentinel{"schema.", "mapping: invalid schema"}
	// ErrMapping matches every problem Mapping.Compile reports.
	ErrMapping error = &sentinel{"mapping.", "mapping: invalid mapping"}

	// ErrNoEmail: no column feeds the e-mail field; the file cannot be imported.
	ErrNoEmail error = &sentinel{string(CodeNoEmail), "mapping: no e-mail column"}
	// ErrNoKey: no column feeds an account schema's name field.
	ErrNoKey error = &sentinel{string(CodeNoKey), "mapping: no account name column"}
	// ErrDuplicateField: two columns (or a column and a constant) feed one single-valued field.
	ErrDuplicateField error = &sentinel{string(CodeDuplicateField), "mapping: field fed twice"}
	// ErrUnknownField: a column or constant names a field the schema does not have.
	ErrUnknownField error = &sentinel{string(CodeUnknownField), "mapping: unknown field"}
	// ErrMissingRequired: a required field is filled by no column or constant.
	ErrMissingRequired error = &sentinel{string(CodeMissingRequired), "mapping: required field not mapped"}
	// ErrTransform: a transform is unknown or does not fit its field.
	ErrTransform error = &sentinel{string(CodeTransform), "mapping: invalid transform"}
)

func colText(col int) string { return "column " + strconv.Itoa(col) }
