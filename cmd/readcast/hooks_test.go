package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// pauseEnv names the step at which a readcast started by readcastWithHooks
// stops, so that a crash test can kill it there: "timing", "reload"… for a
// publish through the admin API (publish.Config.Pause), "content",
// "feed"… for readcast publish (bucket.Options.Pause). Only this file
// reads it: the readcast binary has no test hook.
const pauseEnv = "READCAST_TEST_PAUSE"

// pauseAt is the environment that makes a readcast of readcastWithHooks
// stop before step.
func pauseAt(step string) string { return pauseEnv + "=" + step }

// pausedAt is what it writes on its standard error once it has stopped
// there.
func pausedAt(step string) string { return "paused before step=" + step + "\n" }

// TestMain runs this test binary as readcast when it is started under
// that name (readcastWithHooks links it so), with the test hooks the
// environment asks for set in Go; otherwise it runs the tests.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) != "readcast" {
		os.Exit(m.Run())
	}
	e := env{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	if step := os.Getenv(pauseEnv); step != "" {
		e.pause = func(ctx context.Context, s string) {
			if s == step {
				fmt.Fprint(os.Stderr, pausedAt(s))
				<-ctx.Done()
			}
		}
	}
	os.Exit(runProcess(e))
}

// readcastWithHooks returns a readcast that takes test hooks from its
// environment (pauseAt): this test binary, linked under the name
// readcast, which TestMain runs as readcast.
func readcastWithHooks(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "readcast")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}
