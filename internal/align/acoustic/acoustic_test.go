package acoustic

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"regexp"
	"testing"
)

// TestChecksums holds every embedded file to the checksum SOURCE.md
// records, so a changed model cannot slip in without its provenance.
func TestChecksums(t *testing.T) {
	src, err := os.ReadFile("SOURCE.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?m)^\\| `([^`]+)` \\| `([0-9a-f]{64})` \\|")
	listed := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		listed[m[1]] = m[2]
	}
	for _, name := range []string{
		"en-us/feat.params", "en-us/mdef", "en-us/means", "en-us/variances",
		"en-us/sendump", "en-us/transition_matrices", "en-us/noisedict",
		"en-us/README", "en-us/LICENSE", Dict,
	} {
		b, err := Files.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != listed[name] {
			t.Errorf("%s: sha256 %s, SOURCE.md lists %q", name, got, listed[name])
		}
	}
}

// TestDict reads the whole dictionary: it must decompress and hold the
// 134,723 entries of the Debian package.
func TestDict(t *testing.T) {
	f, err := Files.Open(Dict)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	sc := bufio.NewScanner(io.TeeReader(z, h))
	n := 0
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 134723 {
		t.Errorf("%d entries, want 134723", n)
	}
	const want = "9de99dd2a24b63c653c1c30ab39388d05185cae36d0875f15c319b4ad6dc43af"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("decompressed dictionary sha256 %s, want %s (the Debian file's)", got, want)
	}
}
