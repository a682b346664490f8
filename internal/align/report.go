package align

// Report is what a narrator may want to fix in a recording.
type Report struct {
	Issues []Issue
}

// Issue is one finding.
type Issue struct {
	Message string
}
