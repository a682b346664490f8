package align

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Report is what a narrator may want to fix in a recording, in the order
// of the recording.
type Report struct {
	Issues []Issue
}

// IssueKind classifies an issue.
type IssueKind string

// Kinds of issue.
const (
	// IssueSkipped: a sentence of the text is not in the recording. Its
	// timing has zero length and confidence 0.
	IssueSkipped IssueKind = "skipped"
	// IssueRetake: sentences were recorded twice in a row; the timing
	// follows the later take.
	IssueRetake IssueKind = "retake"
	// IssueUntranscribed: a stretch of the recording holds sound that is
	// not in the text (an intro, music, an aside).
	IssueUntranscribed IssueKind = "untranscribed"
	// IssueUncertain: a sentence was placed with low confidence (misread,
	// noisy, or not the text's words).
	IssueUncertain IssueKind = "uncertain"
)

// Issue is one finding, with where to look in the recording.
type Issue struct {
	Kind IssueKind
	// Sentence and Last number the sentences concerned (1-based, as a
	// person counts); 0 for untranscribed sound.
	Sentence, Last int
	// Start and End are where in the recording, in seconds.
	Start, End float64
	// Message says what was found and what to do, with times as m:ss.
	Message string
}

func (r *Report) add(is Issue) { r.Issues = append(r.Issues, is) }

// String is the report as a person reads it: one line per issue, or a
// line saying there is nothing to fix.
func (r Report) String() string {
	if len(r.Issues) == 0 {
		return "QA: every sentence was found once, and nothing else was heard.\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "QA: %d issue(s)\n", len(r.Issues))
	for _, is := range r.Issues {
		fmt.Fprintf(&b, "  %-13s %s\n", is.Kind, is.Message)
	}
	return b.String()
}

// clock formats seconds as m:ss (h:mm:ss past an hour), to the tenth of a
// second when the stretch is short enough for it to matter.
func clock(t float64) string {
	t = max(0, t)
	whole := int(math.Floor(t))
	tenth := int(math.Floor((t - float64(whole)) * 10))
	h, m, s := whole/3600, whole/60%60, whole%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d.%d", h, m, s, tenth)
	}
	return fmt.Sprintf("%d:%02d.%d", m, s, tenth)
}

// duration formats a length of time for a message.
func duration(d float64) string {
	if d < 90 {
		return fmt.Sprintf("%.1f s", d)
	}
	return fmt.Sprintf("%.1f min", d/60)
}

// sentenceRange names one sentence or a run of them (0-based indices).
func sentenceRange(first, last int) string {
	if first == last {
		return fmt.Sprintf("sentence %d was", first+1)
	}
	return fmt.Sprintf("sentences %d–%d were", first+1, last+1)
}

// quote shortens a sentence for a message.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		cut := max
		for cut > max/2 && r[cut] != ' ' {
			cut--
		}
		s = string(r[:cut]) + "…"
	}
	return "“" + s + "”"
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
