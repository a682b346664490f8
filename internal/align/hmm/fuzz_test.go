package hmm

import (
	"testing"

	"github.com/readcast/readcast/internal/align/acoustic"
)

// FuzzModelFiles feeds damaged model files to the readers: an error or a
// model, never a panic.
func FuzzModelFiles(f *testing.F) {
	for _, name := range []string{"mdef", "transition_matrices", "feat.params"} {
		b, err := acoustic.Files.ReadFile("en-us/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		m := &Model{}
		switch name {
		case "mdef":
			_ = m.readMdef(b)
		case "transition_matrices":
			_ = m.readTmat(b)
		default:
			_, _ = parseFeatParams(b)
		}
		_, _, _, _, _, _ = readGauden(b)
		m.nDens, m.nSen = 128, 5126
		_ = m.readSendump(b)
	})
}
