package validate

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"runtime/debug"

	"github.com/nyaruka/phonenumbers"
)

// The fast path re-implements steps of phonenumbers (see phonefast.go) and
// was verified, input for input, against one release. A host's build may
// select another (go.mod's minimal version selection takes the highest any
// module requires), whose steps or metadata may differ: then the fast path
// stays off and every number goes to phonenumbers itself. Slower, never
// different.

// pfVerifiedVersion is the phonenumbers release the fast path was verified
// against.
const pfVerifiedVersion = "v1.8.1"

// pfVerifiedMetadata is pfFingerprint of that release's metadata. A test
// (TestPhoneFastGateMatchesThisBuild) recomputes it, so that an upgrade of
// phonenumbers in go.mod cannot go unnoticed: re-verify the fast path
// (phonefast_test.go, the fuzz target), then update both constants.
const pfVerifiedMetadata = "a825a144c700bbb1551cd219eaf108c54e899bb9d5831208508611f26008d209"

// pfBuildVersion returns the phonenumbers version this program was built
// with, and whether the build says; a variable so that tests can pretend
// another. A replaced module (a fork, a local copy) counts as its
// replacement's version, "" for a directory.
var pfBuildVersion = func() (string, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, d := range bi.Deps {
		if d.Path != "github.com/nyaruka/phonenumbers" {
			continue
		}
		if d.Replace != nil {
			return d.Replace.Version, true
		}
		return d.Version, true
	}
	// Test binaries and builds outside module mode list no dependencies:
	// the metadata decides alone.
	return "", false
}

// pfVerified reports whether the fast path may answer: the metadata is
// the verified one and, where the build says which phonenumbers it has,
// that is the verified release.
func pfVerified(version string, known bool, fingerprint string) bool {
	if known && version != pfVerifiedVersion {
		return false
	}
	return fingerprint == pfVerifiedMetadata
}

// pfFingerprint hashes what the fast path reads of the metadata: per
// region its ID, calling code, prefixes, transform rule, leading digits,
// and each number description's pattern and possible lengths.
func pfFingerprint(coll *phonenumbers.PhoneMetadataCollection) string {
	h := sha256.New()
	for _, md := range coll.GetMetadata() {
		pfHashString(h, md.GetId())
		pfHashInt(h, int(md.GetCountryCode()))
		pfHashString(h, md.GetInternationalPrefix())
		pfHashString(h, md.GetNationalPrefixForParsing())
		pfHashString(h, md.GetNationalPrefixTransformRule())
		pfHashString(h, md.GetLeadingDigits())
		if md.GetSameMobileAndFixedLinePattern() {
			pfHashInt(h, 1)
		} else {
			pfHashInt(h, 0)
		}
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetGeneralDesc(), md.GetFixedLine(), md.GetMobile(),
			md.GetTollFree(), md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(),
			md.GetPager(), md.GetUan(), md.GetVoicemail()} {
			if d == nil {
				pfHashInt(h, -2)
				continue
			}
			pfHashString(h, d.GetNationalNumberPattern())
			pfHashInt(h, len(d.GetPossibleLength()))
			for _, n := range d.GetPossibleLength() {
				pfHashInt(h, int(n))
			}
			pfHashInt(h, len(d.GetPossibleLengthLocalOnly()))
			for _, n := range d.GetPossibleLengthLocalOnly() {
				pfHashInt(h, int(n))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func pfHashString(h hash.Hash, s string) {
	pfHashInt(h, len(s))
	h.Write([]byte(s))
}

func pfHashInt(h hash.Hash, n int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(int64(n)))
	h.Write(b[:])
}
