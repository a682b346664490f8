package timing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Methods a timing map can be made by.
const (
	MethodSynthesis = "synthesis" // exact: the project synthesized the audio itself
	MethodAligned   = "aligned"   // found by forced alignment of a person's recording
)

// Map is the timing sidecar of one recording. Times are seconds on the
// player's clock: 0 is the first sample a browser or ffmpeg plays, after the
// MP3 encoder's delay has been trimmed.
type Map struct {
	AudioSHA256 string     `json:"audio_sha256"`
	TextSHA256  string     `json:"text_sha256"`
	Method      string     `json:"method"`
	Duration    float64    `json:"duration"`
	Sentences   []Sentence `json:"sentences"`
}

// Sentence is one narrated sentence: it starts when its first word is
// spoken and ends when its last word ends.
type Sentence struct {
	ID         string  `json:"id"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	Words      []Word  `json:"words,omitempty"`
}

// Word is one spoken word inside a sentence.
type Word struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Text  string  `json:"text"`
}

// Round returns t rounded to the millisecond, the resolution every timing
// output uses, so that sidecar, ID3 and JSON chapters agree exactly.
func Round(t float64) float64 { return math.Round(t*1000) / 1000 }

// Validate reports the first way m breaks the sidecar's invariants: a known
// method, sentences in order without overlap, inside the audio, and words in
// order inside their sentence.
func (m *Map) Validate() error {
	if m.Method != MethodSynthesis && m.Method != MethodAligned {
		return fmt.Errorf("timing: unknown method %q", m.Method)
	}
	if !(m.Duration > 0) || math.IsInf(m.Duration, 0) {
		return fmt.Errorf("timing: duration %v is not positive", m.Duration)
	}
	const slack = 0.0005 // half a millisecond of rounding
	prevEnd := 0.0
	seen := make(map[string]bool, len(m.Sentences))
	for i, s := range m.Sentences {
		if s.ID == "" {
			return fmt.Errorf("timing: sentence %d has no id", i)
		}
		if seen[s.ID] {
			return fmt.Errorf("timing: sentence id %q repeated", s.ID)
		}
		seen[s.ID] = true
		if math.IsNaN(s.Start) || math.IsNaN(s.End) {
			return fmt.Errorf("timing: sentence %s has a NaN time", s.ID)
		}
		if s.Start < prevEnd-slack {
			return fmt.Errorf("timing: sentence %s starts at %.3f before the previous one ends at %.3f", s.ID, s.Start, prevEnd)
		}
		if s.End < s.Start {
			return fmt.Errorf("timing: sentence %s ends at %.3f before it starts at %.3f", s.ID, s.End, s.Start)
		}
		if s.End > m.Duration+slack {
			return fmt.Errorf("timing: sentence %s ends at %.3f after the audio ends at %.3f", s.ID, s.End, m.Duration)
		}
		prevWord := s.Start
		for j, w := range s.Words {
			if w.Start < prevWord-slack || w.End < w.Start || w.End > s.End+slack {
				return fmt.Errorf("timing: sentence %s word %d %q [%.3f, %.3f] is out of order or outside [%.3f, %.3f]",
					s.ID, j, w.Text, w.Start, w.End, s.Start, s.End)
			}
			prevWord = w.End
		}
		prevEnd = s.End
	}
	return nil
}

// Find returns the index of the sentence with the given id, or -1.
func (m *Map) Find(id string) int {
	for i, s := range m.Sentences {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// Marshal encodes m as indented JSON with a trailing newline; the same map
// always gives the same bytes.
func Marshal(m *Map) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, fmt.Errorf("timing: encode: %w", err)
	}
	return append(b, '\n'), nil
}

// ErrInvalid is wrapped by Parse when the bytes are JSON but not a valid map.
var ErrInvalid = errors.New("invalid timing map")

// Parse decodes and validates a sidecar. Unknown fields are rejected so that a
// misspelt key is an error rather than a silently missing value.
func Parse(data []byte) (*Map, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Map
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("timing: decode: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return &m, nil
}

// HashFile returns the content hash of the recording at path as a map's
// AudioSHA256 holds it: the hex SHA-256 of its bytes.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
