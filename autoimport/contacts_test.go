package autoimport_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func TestCustomFieldsFromServiceNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	// The host already has a field tagged INDUSTRY (under another key and
	// label), and job_title is tagged JOB_TITLE.
	e.fields.AddField("w1", mapping.Field{Key: "sector", Label: "Sector", Kind: validate.Text}, "INDUSTRY")
	e.svc.Put("acct", "r1", map[string]string{"email": "ann@example.com", "first_name": "Ann",
		"Company Affiliations": "ACME", "company-affiliations": "Initech", "Industry": "Retail", "Job Title": "CEO"})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, []string{"company_affiliations", "company_affiliations_2"}, rec.FieldsCreated,
		"one field per new name; colliding names get a suffix; existing tags are reused")
	tags := e.fields.Tags("w1")
	assert.Equal(t, "COMPANY_AFFILIATIONS", tags["company_affiliations"])
	assert.Equal(t, "COMPANY_AFFILIATIONS_2", tags["company_affiliations_2"])
	reg, err := e.state.FieldTags(bg, "w1", "fake")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Company Affiliations": "COMPANY_AFFILIATIONS",
		"company-affiliations": "COMPANY_AFFILIATIONS_2", "Industry": "INDUSTRY", "Job Title": "JOB_TITLE"}, reg)
	c, ok := e.contact("w1", "r1")
	require.True(t, ok)
	assert.Equal(t, map[string]string{"first_name": "Ann", "company_affiliations": "ACME",
		"company_affiliations_2": "Initech", "sector": "Retail", "job_title": "CEO"}, c.Fields)
	s, err := e.fields.Schema(bg, "w1")
	require.NoError(t, err)
	assert.Equal(t, "Company Affiliations", s.Fields[s.Index("company_affiliations")].Label, "the label is the service's name")

	// A person renames the field; the tag stays, and so does the mapping.
	require.True(t, e.fields.Relabel("w1", "company_affiliations", "Affiliations"))
	e.svc.Put("acct", "r1", map[string]string{"email": "ann@example.com", "first_name": "Ann",
		"Company Affiliations": "Globex", "company-affiliations": "Initech", "Industry": "Retail", "Job Title": "CEO"})
	e.clock.Add(time.Hour)
	rec = e.mustRun(imp.Ref())
	assert.Empty(t, rec.FieldsCreated)
	assert.Equal(t, 1, rec.Updated)
	c, _ = e.contact("w1", "r1")
	assert.Equal(t, "Globex", c.Fields["company_affiliations"])
	assert.Equal(t, "COMPANY_AFFILIATIONS", e.fields.Tags("w1")["company_affiliations"], "the tag never changes")
	s, err = e.fields.Schema(bg, "w1")
	require.NoError(t, err)
	assert.Equal(t, "Affiliations", s.Fields[s.Index("company_affiliations")].Label, "the host's label stands")

	// Another import of the service in the workspace maps names the same way.
	e.svc.Put("acct2", "x1", map[string]string{"email": "bob@example.com", "company-affiliations": "Hooli"})
	other := e.create(autoimport.Definition{Account: "acct2"})
	rec = e.mustRun(other.Ref())
	assert.Empty(t, rec.FieldsCreated)
	got, err := e.store("w1").Lookup(bg, importer.KeyEmail, []string{"bob@example.com"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "Hooli", got[0].Fields["company_affiliations_2"])

	// Another workspace gets its own fields.
	e.svc.Put("acct", "r1", map[string]string{"email": "ann@example.com", "Company Affiliations": "ACME"})
	w2 := e.create(autoimport.Definition{Workspace: "w2"})
	rec = e.mustRun(w2.Ref())
	assert.Equal(t, []string{"company_affiliations"}, rec.FieldsCreated)
}

func TestUnsubscribedStayUnsubscribed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{}, func(e *env, _ *autoimport.Config) {
		e.conn.Meta.Fields = map[string]mapping.Role{"email": mapping.RoleEmail, "first_name": mapping.RoleFirstName,
			"newsletter": mapping.RoleStatus}
	})
	_, err := e.store("w1").Create(bg, []importer.Contact{{Email: "gone@example.com", Status: importer.StatusUnsubscribed}})
	require.NoError(t, err)
	e.svc.Put("acct", "r1", map[string]string{"email": "gone@example.com", "first_name": "Gone", "newsletter": "yes"})
	e.svc.Put("acct", "r2", map[string]string{"email": "new@example.com", "first_name": "New"})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.Created)
	assert.Equal(t, 1, rec.Updated)
	c, _ := e.contact("w1", "r1")
	assert.Equal(t, importer.StatusUnsubscribed, c.Status, "an import never re-activates an unsubscribed contact")
	assert.Equal(t, "Gone", c.Fields["first_name"], "its other fields are updated")
	c, _ = e.contact("w1", "r2")
	assert.Equal(t, importer.StatusSubscribed, c.Status, "new contacts get Config.Status")
}

func TestContactLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{}, func(_ *env, c *autoimport.Config) {
		c.ContactLimit = func(_ context.Context, ws string) (int, error) { return 3, nil }
	})
	_, err := e.store("w1").Create(bg, []importer.Contact{{Email: "p0@example.com"}})
	require.NoError(t, err)
	e.put(5, nil)
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.Updated, "the existing contact is updated")
	assert.Equal(t, 2, rec.Created, "up to the limit")
	assert.Equal(t, 2, rec.Skipped)
	assert.Equal(t, map[importer.Code]int{importer.CodeContactLimit: 2}, rec.SkippedBy, "the run says why")
	assert.Equal(t, 3, e.count("w1"))

	e.svc.Put("acct", "r0000", map[string]string{"email": "p0@example.com", "first_name": "Still updated"})
	e.clock.Add(time.Hour)
	rec = e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.Updated, "past the limit, updates go on")
	c, _ := e.contact("w1", "r0000")
	assert.Equal(t, "Still updated", c.Fields["first_name"])
}

func TestRecordsWithoutValidEmailFail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.svc.Put("acct", "ok", map[string]string{"email": "ok@example.com"})
	e.svc.Put("acct", "none", map[string]string{"first_name": "No email"})
	e.svc.Put("acct", "bad", map[string]string{"email": "not-an-email"})
	e.svc.Put("acct", "blank", map[string]string{"email": "  "})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.Created)
	assert.Equal(t, 3, rec.Failed, "a record without a valid e-mail fails, as its row does in a CSV import")
	assert.Zero(t, rec.Skipped)
	assert.Equal(t, map[importer.Code]int{"value.required": 2, "email.invalid": 1}, rec.FailedBy, "every failed record is counted by reason")
	var ids []string
	for _, p := range rec.Problems {
		assert.False(t, p.Skipped)
		assert.Equal(t, "email", p.Field)
		ids = append(ids, p.RecordID)
	}
	assert.ElementsMatch(t, []string{"none", "bad", "blank"}, ids, "problems name the service records")
}

func TestPageWithoutAnyEmailField(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.svc.Put("acct", "a", map[string]string{"first_name": "A"})
	e.svc.Put("acct", "b", map[string]string{"Nickname": "B"})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 2, rec.Failed, "records fail, the run goes on")
	assert.True(t, rec.Complete)
}

func TestFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	for i := range 6 {
		list := "leads"
		if i%2 == 0 {
			list = "customers"
		}
		e.svc.Put("acct", fmt.Sprintf("r%d", i), map[string]string{"email": fmt.Sprintf("p%d@example.com", i), "list": list})
	}
	_, err := e.runner.Create(bg, autoimport.Definition{Workspace: "w1", Service: "fake", Account: "acct",
		Filters: []autoimport.Filter{{Field: "country", Value: "ES"}}}, autoimport.NewSecret(secretToken))
	assert.ErrorIs(t, err, autoimport.ErrInvalid)
	assert.ErrorIs(t, err, autoimport.ErrUnsupportedFilter)

	imp := e.create(autoimport.Definition{Filters: []autoimport.Filter{{Field: "list", Value: "customers"}}})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 3, rec.Created, "only the filtered records")
	assert.Equal(t, "customers", e.svc.Requests()[0].Query["filter.list"])

	// New filters start the sync over: a full fetch, no updated-since.
	_, err = e.runner.Update(bg, imp.Ref(), func(d *autoimport.Definition) error {
		d.Filters = []autoimport.Filter{{Field: "list", Value: "leads"}}
		return nil
	})
	require.NoError(t, err)
	n := len(e.svc.Requests())
	rec = e.mustRun(imp.Ref())
	assert.True(t, rec.Full)
	assert.Equal(t, 3, rec.Created)
	assert.NotContains(t, e.svc.Requests()[n].Query, "updated_since")
	assert.Equal(t, 6, e.count("w1"))
}
