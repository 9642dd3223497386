package importer

// Outcome is what an import did with one row of the file: the one place
// that decides it. Every non-blank row read gets exactly one Outcome; the
// Report's counts, the progress, OnCommit's events and the History's
// journal are all derived from the outcomes (Config.OnOutcomes delivers
// them per committed batch).
type Outcome struct {
	// Line is the row's first line in the file.
	Line int `json:"line"`
	// Kind is created, updated, unchanged, skipped or failed.
	Kind JournalOutcome `json:"kind"`
	// ContactID is the contact the row created, updated or left unchanged;
	// empty for skipped and failed rows.
	ContactID string `json:"contact_id,omitempty"`
	// Email is the contact's e-mail address after the row, or empty.
	Email string `json:"email,omitempty"`
	// Changes are the fields the row changed, each with its value before
	// and after (absent and empty kept apart: JournalValue.Set). A created
	// contact's fields are changes from absent.
	Changes []JournalChange `json:"changes,omitempty"`
	// TagsAdded are the tags the row added (not those the contact had).
	TagsAdded []string `json:"tags_added,omitempty"`
	// AccountBefore and AccountAfter are the contact's account link before
	// and after the row; both unset when the row did not change it.
	AccountBefore JournalValue `json:"account_before,omitzero"`
	AccountAfter  JournalValue `json:"account_after,omitzero"`
	// AccountsCreated are the IDs of the accounts the row created.
	AccountsCreated []string `json:"accounts_created,omitempty"`
	// Problems are the row's errors and warnings (also those beyond
	// Config.MaxProblems, which the Report only counts).
	Problems []Problem `json:"problems,omitempty"`
}

// JournalEntry returns o as a History journal entry.
func (o Outcome) JournalEntry() JournalEntry {
	return JournalEntry{
		Line:            int64(o.Line),
		Outcome:         o.Kind,
		ContactID:       o.ContactID,
		Changes:         o.Changes,
		TagsAdded:       o.TagsAdded,
		AccountBefore:   o.AccountBefore,
		AccountAfter:    o.AccountAfter,
		AccountsCreated: o.AccountsCreated,
	}
}
