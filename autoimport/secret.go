package autoimport

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every printed, marshalled or logged form of a Secret
// shows instead of its value.
const redacted = "[REDACTED]"

// Secret holds a credential: an API key, an OAuth token, a password, or the
// sealed (encrypted) form of one. Its value is only reachable through
// Reveal: String, GoString, every fmt verb (%v, %+v, %#v, %s, %q, %x, …),
// encoding/json, encoding.TextMarshaler and log/slog all show "[REDACTED]".
// Even reflection-based printing of a struct that holds a Secret in an
// unexported field (which bypasses those methods) shows a function
// address, never the value.
//
// The zero Secret is empty. Secrets are immutable and safe to copy and to
// share between goroutines. They are not comparable with ==: use Equal.
type Secret struct {
	// reveal returns the value. A closure, because fmt's reflection can
	// walk into strings, slices and pointers but not into functions.
	reveal func() string
}

// NewSecret returns a Secret holding s. NewSecret("") is the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{reveal: func() string { return s }}
}

// Reveal returns the value. Call it only where the value is used (an
// Authorization header, a Sealer), never to print or log it.
func (s Secret) Reveal() string {
	if s.reveal == nil {
		return ""
	}
	return s.reveal()
}

// IsZero reports whether s is empty.
func (s Secret) IsZero() bool { return s.reveal == nil }

// Equal reports whether s and t hold the same value, in constant time for
// values of equal length.
func (s Secret) Equal(t Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(t.Reveal())) == 1
}

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]", for %#v.
func (Secret) GoString() string { return redacted }

// Format writes "[REDACTED]" whatever the verb and flags.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue makes log/slog show "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]": a Secret never leaves
// the process through JSON, so a JSON round trip loses it by design.
func (Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// MarshalText returns "[REDACTED]" (YAML, XML, map keys, …).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// UnmarshalJSON reads a JSON string (a secret in a host's configuration
// file). The redaction placeholder itself and null read as the zero Secret,
// so a marshalled Secret never comes back as the literal "[REDACTED]".
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v *string
	if err := json.Unmarshal(b, &v); err != nil {
		// The error of encoding/json may quote the input: say nothing of it.
		return errors.New("autoimport: a secret must be a JSON string")
	}
	if v == nil || *v == redacted {
		*s = Secret{}
		return nil
	}
	*s = NewSecret(*v)
	return nil
}

var (
	_ fmt.Formatter  = Secret{}
	_ fmt.Stringer   = Secret{}
	_ fmt.GoStringer = Secret{}
	_ slog.LogValuer = Secret{}
	_ json.Marshaler = Secret{}
)

// Sealer encrypts credentials before they are written to the state Store
// and decrypts them when a run needs them. The host provides it, typically
// backed by its key management service; NewAESSealer is a reference
// implementation. The workspace ID is passed so that an implementation can
// use per-tenant keys and bind a sealed value to its workspace (a value
// sealed for one workspace must not open for another).
//
// Implementations must be safe for concurrent use and must never include
// the plaintext in an error.
type Sealer interface {
	// Seal returns the sealed form of plaintext, which is not empty.
	Seal(ctx context.Context, workspace string, plaintext []byte) ([]byte, error)
	// Open returns the plaintext of a value Seal returned for the same
	// workspace. A value that does not open (tampered, other workspace,
	// unknown key) returns an error matching ErrSealed.
	Open(ctx context.Context, workspace string, sealed []byte) ([]byte, error)
}

// ErrSealed matches a sealed credential that cannot be opened.
var ErrSealed = errors.New("autoimport: sealed credentials cannot be opened")

// PlaintextSealer stores credentials unencrypted. The Runner refuses to
// store credentials without a Sealer; setting Config.Sealer to
// PlaintextSealer{} is the explicit opt-out, for tests and for hosts whose
// state store encrypts at rest by itself.
type PlaintextSealer struct{}

// Seal returns a copy of plaintext.
func (PlaintextSealer) Seal(_ context.Context, _ string, p []byte) ([]byte, error) {
	return append([]byte(nil), p...), nil
}

// Open returns a copy of sealed.
func (PlaintextSealer) Open(_ context.Context, _ string, s []byte) ([]byte, error) {
	return append([]byte(nil), s...), nil
}

// aesSealer is the AES-GCM reference Sealer.
type aesSealer struct{ aead cipher.AEAD }

// NewAESSealer returns a Sealer that encrypts with AES-GCM under key (16, 24
// or 32 bytes), a random nonce per value, and the workspace ID as additional
// data, so a value sealed for one workspace does not open for another.
func NewAESSealer(key []byte) (Sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("autoimport: AES key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("autoimport: AES-GCM: %w", err)
	}
	return aesSealer{aead: aead}, nil
}

func (a aesSealer) Seal(_ context.Context, workspace string, p []byte) ([]byte, error) {
	nonce := make([]byte, a.aead.NonceSize(), a.aead.NonceSize()+len(p)+a.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("autoimport: nonce: %w", err)
	}
	return a.aead.Seal(nonce, nonce, p, []byte(workspace)), nil
}

func (a aesSealer) Open(_ context.Context, workspace string, s []byte) ([]byte, error) {
	n := a.aead.NonceSize()
	if len(s) < n {
		return nil, ErrSealed
	}
	p, err := a.aead.Open(nil, s[:n], s[n:], []byte(workspace))
	if err != nil {
		return nil, ErrSealed
	}
	return p, nil
}
