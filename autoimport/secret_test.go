package autoimport_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
)

func TestSecretIsRedactedEverywhere(t *testing.T) {
	t.Parallel()
	s := autoimport.NewSecret(secretToken)
	type exported struct {
		Name  string
		Token autoimport.Secret
	}
	type hidden struct {
		name  string
		token autoimport.Secret
	}
	values := map[string]any{
		"Secret":          s,
		"*Secret":         &s,
		"exported field":  exported{"x", s},
		"*exported field": &exported{"x", s},
		"hidden field":    hidden{"x", s},
		"slice":           []autoimport.Secret{s},
		"map":             map[string]autoimport.Secret{"k": s},
		"Import":          autoimport.Import{Credentials: s},
		"FetchRequest":    autoimport.FetchRequest{Credentials: s},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10.3s"}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, secretToken, "%s printed with %s: %s", name, verb, out)
			assert.NotContains(t, out, "S3CRET", "%s printed with %s", name, verb)
		}
		j, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(j), "S3CRET", "%s as JSON", name)
	}
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Equal(t, "[REDACTED]", s.GoString())
	assert.Equal(t, "[REDACTED]", fmt.Sprintf("%v", s))
	assert.Equal(t, secretToken, s.Reveal(), "Reveal is the only way to the value")
	j, _ := json.Marshal(s)
	assert.Equal(t, `"[REDACTED]"`, string(j))

	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("m", "secret", s, slog.Any("req", autoimport.FetchRequest{Credentials: s}), slog.Any("ptr", &s))
		assert.NotContains(t, buf.String(), "S3CRET", buf.String())
		assert.Contains(t, buf.String(), "[REDACTED]")
	}

	err := fmt.Errorf("autoimport: call with %v failed: %w", s, errors.New("x"))
	assert.NotContains(t, err.Error(), "S3CRET")
}

func TestSecretJSONInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"string", `"abc"`, "abc", false},
		{"null", `null`, "", false},
		{"placeholder reads as empty", `"[REDACTED]"`, "", false},
		{"number", `42`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s autoimport.Secret
			err := json.Unmarshal([]byte(tc.in), &s)
			if tc.err {
				require.Error(t, err)
				assert.NotContains(t, err.Error(), tc.in, "the error does not echo the input")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.Reveal())
			assert.Equal(t, tc.want == "", s.IsZero())
		})
	}
	assert.True(t, autoimport.NewSecret("a").Equal(autoimport.NewSecret("a")))
	assert.False(t, autoimport.NewSecret("a").Equal(autoimport.NewSecret("b")))
	assert.True(t, autoimport.Secret{}.IsZero())
}

func TestCredentialsAreSealedInState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	imp := e.create(autoimport.Definition{})
	stored, err := e.state.Get(bg, imp.Ref())
	require.NoError(t, err)
	raw := stored.Credentials.Reveal()
	assert.NotEmpty(t, raw)
	assert.NotContains(t, raw, secretToken, "the state store never sees the plaintext")
	e.put(1, nil)
	e.mustRun(imp.Ref()) // and the run opens them

	// Without a Sealer, credentials are refused; PlaintextSealer opts out.
	cfg := e.cfg
	cfg.Sealer = nil
	r, err := autoimport.NewRunner(cfg)
	require.NoError(t, err)
	_, err = r.Create(bg, autoimport.Definition{Workspace: "w1", Service: "fake", Account: "acct"}, autoimport.NewSecret(secretToken))
	assert.ErrorIs(t, err, autoimport.ErrNoSealer)
	cfg.Sealer = autoimport.PlaintextSealer{}
	r, err = autoimport.NewRunner(cfg)
	require.NoError(t, err)
	plain, err := r.Create(bg, autoimport.Definition{Workspace: "w1", Service: "fake", Account: "acct"}, autoimport.NewSecret(secretToken))
	require.NoError(t, err)
	e.print(plain, *plain)
	assert.Equal(t, secretToken, plain.Credentials.Reveal(), "stored as given with the explicit opt-out")
}

func TestAESSealer(t *testing.T) {
	t.Parallel()
	_, err := autoimport.NewAESSealer([]byte("short"))
	require.Error(t, err)
	s := mustAES(t)
	a, err := s.Seal(bg, "w1", []byte("hello"))
	require.NoError(t, err)
	b, err := s.Seal(bg, "w1", []byte("hello"))
	require.NoError(t, err)
	assert.NotEqual(t, a, b, "a fresh nonce per value")
	p, err := s.Open(bg, "w1", a)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(p))
	a[len(a)-1] ^= 1
	_, err = s.Open(bg, "w1", a)
	assert.ErrorIs(t, err, autoimport.ErrSealed, "tampering is detected")
	_, err = s.Open(bg, "w1", []byte("x"))
	assert.ErrorIs(t, err, autoimport.ErrSealed)
	assert.False(t, strings.Contains(fmt.Sprint(err), "hello"))
}
