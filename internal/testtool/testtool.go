// Package testtool helps tests that run real programs (festival, lame,
// ffmpeg, chromium, gpo). Locally a missing program skips the test with the
// Debian package to install; in CI (CI set) it fails, so a missing tool can
// never pass for a green run.
package testtool

import (
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Require returns the path of program, or skips (fails under CI) naming the
// Debian package that provides it.
func Require(tb testing.TB, program, debianPackage string) string {
	tb.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	missing(tb, program+" not found", debianPackage)
	return ""
}

// missing skips the test, or fails it under CI, saying what is missing
// and which Debian package to install.
func missing(tb testing.TB, what, debianPackage string) {
	tb.Helper()
	msg := what + ": install the Debian package " + debianPackage + " (scripts/setup installs every test tool)"
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// RequirePython returns Debian's python3 when it can import module, and
// otherwise skips (fails under CI) naming the Debian package that provides
// the module, like Require.
func RequirePython(tb testing.TB, module, debianPackage string) string {
	tb.Helper()
	python := Require(tb, "/usr/bin/python3", debianPackage)
	if b, err := exec.Command(python, "-c", "import "+module).CombinedOutput(); err != nil {
		missing(tb, "python3 cannot import "+module+" ("+strings.TrimSpace(string(b))+")", debianPackage)
	}
	return python
}

// EditDistance is the Levenshtein distance between two sequences of
// tokens (words, phones): the insertions, deletions and substitutions that
// turn a into b.
func EditDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// AfterModTime waits until the file system's clock has moved past path's
// modification time, so that a write to path now changes its mtime even
// where the clock ticks coarsely (jiffies, or whole seconds on some file
// systems) and a rewrite of the same size would otherwise look unchanged
// to whatever compares size and mtime. It asks the file system itself, by
// writing a hidden probe file next to path, rather than sleeping for a
// guess at its resolution.
func AfterModTime(tb testing.TB, path string) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		probe, err := os.CreateTemp(filepath.Dir(path), ".mtime-probe-")
		if err != nil {
			tb.Fatal(err)
		}
		probe.Close()
		pi, err := os.Stat(probe.Name())
		os.Remove(probe.Name())
		if err != nil {
			tb.Fatal(err)
		}
		if pi.ModTime().After(fi.ModTime()) {
			return
		}
	}
	tb.Fatalf("the file system's clock did not move past %s's modification time (%v) in 10 s", path, fi.ModTime())
}

// FreePorts returns n distinct TCP ports that nothing listens on at
// 127.0.0.1, for a program the test starts with its port as an argument
// (nginx, SeaweedFS, readcast serve as a user runs it). A port that
// net.Listen on port 0 gave is free only until it is closed: the kernel
// hands its ephemeral ports to any process's listen on port 0 or outgoing
// connection, and a program that takes seconds to bind the port it was
// given (SeaweedFS, a serve after a narration) can find it taken by
// another test. So the ports are chosen at random below the kernel's
// ephemeral range, where only a program that asks for the port by number
// gets it.
func FreePorts(tb testing.TB, n int) []int {
	tb.Helper()
	const from = 10000
	low := ephemeralLow()
	var ports []int
	var held []net.Listener // held until all are chosen, so distinct
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries == 1000 {
			tb.Fatalf("no %d free ports on 127.0.0.1 below the ephemeral range (%d)", n, low)
		}
		addr := "127.0.0.1:0" // no room below the range: the kernel's choice
		if low-from >= 1000 {
			addr = "127.0.0.1:" + strconv.Itoa(from+rand.IntN(low-from))
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue // taken
		}
		held = append(held, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// ephemeralLow is the first port of the kernel's ephemeral range
// (Linux's default where it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if f := strings.Fields(string(b)); err == nil && len(f) == 2 {
		if low, err := strconv.Atoi(f[0]); err == nil {
			return low
		}
	}
	return 32768
}
