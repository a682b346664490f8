// Package buildinfo says which readcast this is: the module version and
// the commit it was built from, as the Go toolchain recorded them in the
// binary (no -ldflags needed: `go build` in a git checkout stamps the
// commit, `go install …@v1.2.3` the version).
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Info is what the binary knows about its own build.
type Info struct {
	Version   string // module version; "(devel)" for a build of a checkout
	Commit    string // git commit, with "-dirty" when the tree had changes; "unknown" without VCS stamping
	Time      string // commit time, RFC 3339; empty when unknown
	GoVersion string
}

// Read returns the running binary's build information.
func Read() Info {
	in := Info{Version: "(devel)", Commit: "unknown", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return in
	}
	if v := bi.Main.Version; v != "" {
		in.Version = v
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && in.Commit != "unknown" {
		in.Commit += "-dirty"
	}
	return in
}

// String is the one line `readcast version` prints.
func (in Info) String() string {
	s := "readcast " + in.Version + " commit " + in.Commit
	if in.Time != "" {
		s += " (" + in.Time + ")"
	}
	return s + " " + in.GoVersion
}
