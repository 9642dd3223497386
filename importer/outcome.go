package importer

import "encoding/json"

// Outcome is what an import did with one row of the file, decided once
// per row after its batch's store commit. Every non-blank row read gets
// exactly one Outcome; the Report's counts, the progress, OnCommit's events
// and the History's journal are all made from the outcomes, and
// Config.OnOutcomes receives them per store commit. A dry run makes them
// for its counts only.
type Outcome struct {
	// Line is the row's first line in the file.
	Line int `json:"line"`
	// Kind is created, updated, unchanged, skipped or failed.
	Kind JournalOutcome `json:"kind"`
	// Reason is why a skipped row was skipped (CodeExists, CodeNotFound,
	// CodeContactLimit, CodeDuplicateInFile, CodeBeforeResume); empty for
	// the other kinds.
	Reason Code `json:"reason,omitempty"`
	// ContactID is the contact the row created, updated or left unchanged;
	// empty for skipped and failed rows.
	ContactID string `json:"contact_id,omitempty"`
	// Email is the row's e-mail address (normalized), or empty.
	Email string `json:"email,omitempty"`
	// Changes are the fields the row changed, in a fixed order, each with
	// its value before and after; absent and empty are kept apart
	// (JournalValue.Set: a field the store did not have is unset before, a
	// cleared one is unset after). Field is the schema key of an ordinary
	// field, or JournalEmail, JournalPhone, JournalExternalID,
	// JournalStatus for the dedicated parts and JournalTags when the row
	// replaced the tags (Config.ReplaceTags; the values are JSON arrays of
	// the tags, unset for none). A created contact's values are changes from
	// unset. The account link and added tags are not in Changes.
	Changes []JournalChange `json:"changes,omitempty"`
	// TagsAdded are the tags the row added (not those the contact had): a
	// created contact's tags, or those an update added.
	TagsAdded []string `json:"tags_added,omitempty"`
	// AccountBefore and AccountAfter are the contact's account link before
	// and after the row, a set empty value meaning "no link" (a created
	// contact's link is before ""); both unset when the row did not change
	// it.
	AccountBefore JournalValue `json:"account_before,omitzero"`
	AccountAfter  JournalValue `json:"account_after,omitzero"`
	// AccountsCreated are the IDs of the accounts the row created: an
	// account the import created is named by the first row linked to it.
	AccountsCreated []string `json:"accounts_created,omitempty"`
	// Problems are the row's errors and warnings (also those beyond
	// Config.MaxProblems, which the Report only counts).
	Problems []Problem `json:"problems,omitempty"`
	// Cells are the row's cells as read from the file (a row the parser
	// rejected as its lenient reading split it), for failed and skipped
	// rows only, so that they can be handed back to be fixed and imported
	// again; nil for the other kinds.
	Cells []string `json:"cells,omitempty"`
}

// The journal's names of a contact's dedicated parts (JournalChange.Field).
const (
	JournalEmail      = "email"
	JournalPhone      = "phone"
	JournalExternalID = "external_id"
	JournalStatus     = "status"
	// JournalTags is the change of a row that replaced a contact's tags;
	// its values are JSON arrays of the tags, unset for none.
	JournalTags = "tags"
)

func tagsValue(tags []string) JournalValue {
	if len(tags) == 0 {
		return JournalValue{}
	}
	b, _ := json.Marshal(tags) // strings always marshal
	return Present(string(b))
}

// part is a dedicated part's value as a JournalValue: "" is unset (a
// contact's part cannot hold the empty string).
func part(v string) JournalValue {
	if v == "" {
		return JournalValue{}
	}
	return Present(v)
}

// JournalEntry returns o as a History journal entry.
func (o Outcome) JournalEntry() JournalEntry {
	problems := o.Problems
	if o.Kind != JournalFailed && o.Kind != JournalSkipped {
		problems = nil // warnings of imported rows stay in the Report: the journal stays small
	}
	return JournalEntry{
		Line:            int64(o.Line),
		Outcome:         o.Kind,
		ContactID:       o.ContactID,
		Changes:         o.Changes,
		TagsAdded:       o.TagsAdded,
		AccountBefore:   o.AccountBefore,
		AccountAfter:    o.AccountAfter,
		AccountsCreated: o.AccountsCreated,
		Reason:          o.Reason,
		Problems:        problems,
		Cells:           o.Cells,
	}
}
