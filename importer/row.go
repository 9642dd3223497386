package importer

// A row on its way through the stages, and the pipeline's verdict on it.

// row is one data row on its way through the pipeline.
type row struct {
	line    int
	rec     []string
	readErr *RowError

	c Contact
	// vals are the values of the ordinary fields, by schema field index
	// ("" where the row has none); c.Fields is made from them only for a
	// contact that is written.
	vals     []string
	emailKey string // EmailKey(c.Email), once asked for
	clears   []string
	account  string
	problems []Problem
	rejected bool

	// decided in the sequential stage
	outcome  outcome
	reason   Code
	matchID  string   // the existing contact to update
	existing *Contact // its stored state
	// dup is the file index entry (+1) of the earlier row whose contact
	// this later row updates; -1 for an account import's later row; 0 if
	// the row is a first occurrence.
	dup       int
	entry     int // this row's entry (+1) in the file index, if it is a first occurrence
	linked    bool
	linkedNew bool
	// resolved: the row's account was resolved (once per row, also when
	// the row is matched again after a conflict).
	resolved bool
	// dupOfStored: with CreateDuplicate, the store has a contact with the
	// row's key, so the new contact is an intended duplicate.
	dupOfStored bool

	// What an update changes, for its Outcome (set by diff when the
	// outcomes are wanted).
	jchanges   []JournalChange
	tagsAdded  []string
	acctBefore JournalValue
	acctAfter  JournalValue
}

type outcome uint8

const (
	outPending outcome = iota
	outFailed
	outSkipped
	outCreate
	outUpdate
	outMerged // in a dry run, a later row of a contact the run would create
	outDupUpdate
	outUnchanged
)

// key is rw's match key of kind k; the e-mail key is computed once.
func (rw *row) key(k KeyKind) string {
	if k == KeyEmail {
		if rw.emailKey == "" && rw.c.Email != "" {
			rw.emailKey = EmailKey(rw.c.Email)
		}
		return rw.emailKey
	}
	return rw.c.Key(k)
}
