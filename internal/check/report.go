package check

import (
	"fmt"
	"io"
	"strings"
)

// Finding is one thing check found wrong.
type Finding struct {
	// Where is "feed", or `episode N "Title"` for the Nth item of the feed.
	Where string
	// Message says what is wrong, with the values that show it.
	Message string
	// URL is the resource the finding is about, when there is one.
	URL string
}

// String formats f as `where: message (url)`.
func (f Finding) String() string {
	s := f.Where + ": " + f.Message
	if f.URL != "" {
		s += " (" + f.URL + ")"
	}
	return s
}

// Report is what Run found.
type Report struct {
	// URL is the feed checked.
	URL string
	// Failures break a rule an app or directory enforces; Warnings are
	// worth fixing but break no app.
	Failures []Finding
	Warnings []Finding
	// Episodes is the number of items in the feed; Requests the number of
	// HTTP requests made.
	Episodes int
	Requests int
}

// OK reports whether the check found no failure.
func (r *Report) OK() bool { return len(r.Failures) == 0 }

// Summary is one line: what was checked and how many problems were found.
func (r *Report) Summary() string {
	return fmt.Sprintf("%s: %s, %s, %s and %s",
		r.URL, plural(r.Episodes, "episode"), plural(r.Requests, "request"),
		plural(len(r.Failures), "failure"), plural(len(r.Warnings), "warning"))
}

// Write writes one line a finding, "FAIL …" then "WARN …", and the summary.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Failures {
		b.WriteString("FAIL " + f.String() + "\n")
	}
	for _, f := range r.Warnings {
		b.WriteString("WARN " + f.String() + "\n")
	}
	verdict := "ok"
	if !r.OK() {
		verdict = "FAILED"
	}
	b.WriteString(verdict + " " + r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// findings collects what the checks of one place (the feed, an episode)
// find, so that places checked concurrently report in a fixed order.
type findings struct {
	where string
	fails []Finding
	warns []Finding
}

func (f *findings) fail(url, format string, args ...any) {
	f.fails = append(f.fails, Finding{Where: f.where, Message: fmt.Sprintf(format, args...), URL: url})
}

func (f *findings) warn(url, format string, args ...any) {
	f.warns = append(f.warns, Finding{Where: f.where, Message: fmt.Sprintf(format, args...), URL: url})
}

// add appends f's findings to r.
func (r *Report) add(f *findings) {
	r.Failures = append(r.Failures, f.fails...)
	r.Warnings = append(r.Warnings, f.warns...)
}
