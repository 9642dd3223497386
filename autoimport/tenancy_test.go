package autoimport_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
)

// TestTenancy: one workspace can neither read, run, edit nor delete
// another's imports, and each workspace's contacts go to its own store.
func TestTenancy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.put(3, nil)
	acme := e.create(autoimport.Definition{Workspace: "acme"})
	theirs := autoimport.Ref{Workspace: "globex", ID: acme.ID}

	_, err := e.runner.Get(bg, theirs)
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "read")
	list, err := e.runner.List(bg, "globex")
	require.NoError(t, err)
	assert.Empty(t, list, "list")
	_, err = e.run(theirs)
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "run")
	_, err = e.runner.RunNow(bg, theirs)
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "run now")
	_, err = e.runner.Update(bg, theirs, func(d *autoimport.Definition) error { d.Paused = true; return nil })
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "edit")
	assert.ErrorIs(t, e.runner.SetCredentials(bg, theirs, autoimport.NewSecret("x")), autoimport.ErrNotFound, "credentials")
	assert.ErrorIs(t, e.runner.Delete(bg, theirs), autoimport.ErrNotFound, "delete")
	runs, err := e.runner.Runs(bg, theirs, 0)
	require.NoError(t, err)
	assert.Empty(t, runs)

	// Moving an import to another workspace by editing it is refused.
	_, err = e.runner.Update(bg, acme.Ref(), func(d *autoimport.Definition) error { d.Workspace = "globex"; return nil })
	assert.ErrorIs(t, err, autoimport.ErrInvalid)

	got := e.get(acme.Ref())
	assert.False(t, got.Paused)
	assert.Equal(t, int64(1), got.Revision, "acme's import is untouched")
	e.mustRun(acme.Ref())
	assert.Equal(t, 3, e.count("acme"))
	assert.Zero(t, e.count("globex"), "contacts go to the importing workspace only")

	// Sealed credentials are bound to their workspace.
	sealer := mustAES(t)
	sealed, err := sealer.Seal(bg, "acme", []byte(secretToken))
	require.NoError(t, err)
	_, err = sealer.Open(bg, "globex", sealed)
	assert.ErrorIs(t, err, autoimport.ErrSealed, "a credential sealed for one workspace does not open for another")
}
