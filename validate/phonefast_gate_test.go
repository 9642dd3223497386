package validate

import (
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPhoneFastGateMatchesThisBuild: the phonenumbers this module requires
// is the one the fast path was verified against, so the fast path is on in
// a build that selects it. Raising phonenumbers in go.mod fails this test
// until the fast path is re-verified and the constants updated.
func TestPhoneFastGateMatchesThisBuild(t *testing.T) {
	gomod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`github.com/nyaruka/phonenumbers (v\S+)`).FindSubmatch(gomod)
	require.NotNil(t, m, "go.mod requires phonenumbers")
	assert.Equal(t, pfVerifiedVersion, string(m[1]), "go.mod's phonenumbers is the verified one")

	coll, err := phonenumbers.MetadataCollection()
	require.NoError(t, err)
	assert.Equal(t, pfVerifiedMetadata, pfFingerprint(coll), "the metadata is the verified one")
	v, known := pfBuildVersion()
	assert.True(t, pfVerified(v, known, pfFingerprint(coll)), "the fast path is on in this build (%q, %v)", v, known)
}

func TestPhoneFastVerified(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		version     string
		known       bool
		fingerprint string
		want        bool
	}{
		{"the verified release", pfVerifiedVersion, true, pfVerifiedMetadata, true},
		{"a newer release", "v1.8.2", true, pfVerifiedMetadata, false},
		{"an older release", "v1.7.5", true, pfVerifiedMetadata, false},
		{"replaced by a directory", "", true, pfVerifiedMetadata, false},
		{"a build that does not say, same metadata", "", false, pfVerifiedMetadata, true},
		{"a build that does not say, other metadata", "", false, "0123", false},
		{"the verified release with other metadata", pfVerifiedVersion, true, "0123", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, pfVerified(c.version, c.known, c.fingerprint))
		})
	}
}

// pfReloadAs loads the fast path's index again as a build with the given
// phonenumbers version would (known: the build says so). Not for parallel
// tests: it replaces the package's index.
func pfReloadAs(version string, known bool) {
	pfBuildVersion = func() (string, bool) { return version, known }
	pfByID = nil
	pfByCode2 = [26 * 26]*pfMeta{}
	pfSupported2 = [26 * 26]bool{}
	pfByCode = [1000]*pfCode{}
	pfOnce = sync.Once{}
	pfOnce.Do(pfLoad)
}

// TestPhoneFastFallsBack: in a build with another phonenumbers release the
// fast path never answers, and every result is phonenumbers' own. Not
// parallel: it swaps the package's index (parallel tests start after it).
func TestPhoneFastFallsBack(t *testing.T) {
	saved := pfBuildVersion
	t.Cleanup(func() {
		pfBuildVersion = saved
		v, known := saved()
		pfReloadAs(v, known)
		pfBuildVersion = saved
	})
	rule, err := New(Phone, Rules{DefaultRegion: "US"})
	require.NoError(t, err)
	inputs := []struct{ phone, country string }{
		{"(415) 555-2671", ""}, {"+34 612 34 56 78", ""}, {"0612345678", "FR"}, {"020 7946 0018", "GB"},
		{"0049 30 901820", ""}, {"12", ""}, {"+1 999 555 0100", ""}, {"+44 20 7946 0958 ext. 12", ""},
	}

	check := func() (fastHits int) {
		for _, in := range inputs {
			var hit, slowHit bool
			res, err := rule.checkPhoneMode(in.phone, in.country, true, &hit)
			slowRes, slowErr := rule.checkPhoneMode(in.phone, in.country, false, &slowHit)
			assert.Equal(t, slowErr, err, in.phone)
			assert.Equal(t, slowRes, res, in.phone)
			if hit {
				fastHits++
			}
		}
		return fastHits
	}

	pfReloadAs("v1.9.0", true)
	assert.Zero(t, check(), "another phonenumbers release: the fast path never answers")
	pfReloadAs("", true)
	assert.Zero(t, check(), "a replaced phonenumbers: the fast path never answers")
	pfReloadAs(pfVerifiedVersion, true)
	assert.Positive(t, check(), "the verified release: the fast path answers")
}
