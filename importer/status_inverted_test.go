package importer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// TestInvertedStatusColumn decides what an inverted status column
// ("unsubscribed", Salesforce's "Email Opt Out", HubSpot's "Unsubscribed
// from all email") means (issue 18). Mailchimp, Ghost and beehiiv export
// no such column (Mailchimp: one file per status, UNSUB_TIME filled in the
// unsubscribed one; Ghost: subscribed_to_emails true/false; beehiiv:
// status active/inactive); the flag comes from CRMs, where false is the
// default of every record, consented or not. So:
//   - yes/true is unsubscribed;
//   - no/false sets no status: a new contact gets Config.Status (none by
//     default), an existing contact keeps its own, a subscriber is not
//     demoted and nobody is subscribed by the column.
func TestInvertedStatusColumn(t *testing.T) {
	t.Parallel()
	file := "email,unsubscribed\nyes@example.com,true\nno@example.com,false\nnein@example.com,nein\nblank@example.com,\n"
	cases := []struct {
		name   string
		status importer.Status // Config.Status
		want   map[string]importer.Status
	}{
		{"no default status", "", map[string]importer.Status{
			"yes@example.com": importer.StatusUnsubscribed, "no@example.com": "", "nein@example.com": "", "blank@example.com": ""}},
		{"the import's default is subscribed", importer.StatusSubscribed, map[string]importer.Status{
			"yes@example.com": importer.StatusUnsubscribed, "no@example.com": importer.StatusSubscribed,
			"nein@example.com": importer.StatusSubscribed, "blank@example.com": importer.StatusSubscribed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep := imp(t, st, file, importer.Config{Status: tc.status})
			assert.Equal(t, 4, rep.Created)
			assert.Empty(t, rep.Errors)
			for email, want := range tc.want {
				assert.Equal(t, want, byEmail(t, st, email).Status, email)
			}
		})
	}

	t.Run("existing contacts", func(t *testing.T) {
		t.Parallel()
		st := memstore.New()
		imp(t, st, "email,newsletter\nsub@example.com,subscribed\nnone@example.com,none\nflip@example.com,subscribed\n", importer.Config{})
		rep := imp(t, st, "email,unsubscribed\nsub@example.com,false\nnone@example.com,no\nflip@example.com,yes\n", importer.Config{})
		assert.Empty(t, rep.Errors)
		assert.Equal(t, importer.StatusSubscribed, byEmail(t, st, "sub@example.com").Status, "not unsubscribed does not demote a subscriber")
		assert.Equal(t, importer.StatusNone, byEmail(t, st, "none@example.com").Status, "nor subscribes anyone")
		assert.Equal(t, importer.StatusUnsubscribed, byEmail(t, st, "flip@example.com").Status)
	})
}
