// Package testtool helps tests that run real programs (festival, lame,
// ffmpeg, chromium, gpo). Locally a missing program skips the test with the
// Debian package to install; in CI (CI set) it fails, so a missing tool can
// never pass for a green run.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of program, or skips (fails under CI) naming the
// Debian package that provides it.
func Require(tb testing.TB, program, debianPackage string) string {
	tb.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	msg := program + " not found: install the Debian package " + debianPackage + " (scripts/setup installs every test tool)"
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}
