// Command readcast turns a long written recollection into a narrated,
// chaptered podcast: it segments the text, narrates it, serves the audio with
// a synchronized transcript, and publishes a feed podcast apps subscribe to.
//
// Usage:
//
//	readcast init     [-dir DIR] -source FILE [-title T] [-author A] [-email E] [-language L]
//	readcast [serve]  [-addr HOST:PORT] [-dir DIR] [-base-url URL] [-watch 2s] [-admin-token T] [-max-upload 256MB]
//	readcast outline  [-dir DIR] [-source FILE] [-json]
//	readcast narrate  [-dir DIR] [-voice festival|flite|espeak-ng] [-episode SLUG]
//	readcast align    -audio FILE -text FILE [-lines] [-json]
//	readcast export   -out DIR -base-url URL
//	readcast publish  -to s3://BUCKET[/PREFIX] -base-url URL [-endpoint URL] [-dry-run] [-prune AGE] [-cors]
//	readcast check    URL
//	readcast validate [-dir DIR]
//	readcast version  (or -version)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/readcast/readcast/internal/show"
)

func main() {
	os.Exit(runProcess(env{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}))
}

// runProcess is main with its env, returning the exit status: the tests
// run their own binary through it, with test hooks in e.
func runProcess(e env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runEnv(ctx, e, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		// One line, whatever the error: a service manager's journal and
		// a log shipper keep it whole (a show's problems are listed
		// with "; " between them).
		fmt.Fprintln(e.stderr, "readcast:", oneLine.Replace(err.Error()))
		return 1
	}
	return 0
}

// oneLine folds a multi-line error (a show's problems, one a line) into
// one line.
var oneLine = strings.NewReplacer(":\n  - ", ": ", "\n  - ", "; ", "\n", "; ")

// env is how commands read the environment; tests pass their own.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// pause is a test hook, nil in the readcast binary: a publish (the
	// admin API's, publish.Config.Pause, or readcast publish's,
	// bucket.Options.Pause) calls it before each of its steps, and a
	// crash test's hook stops there until ctx is done, so that the test
	// can kill the process at that step.
	pause func(ctx context.Context, step string)
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"init", "start a show from a text file: copies it and writes show.json", runInit},
		{"serve", "serve the show over HTTP (the default)", runServe},
		{"outline", "print the show's episodes, chapters and sentences", runOutline},
		{"narrate", "record the episodes with a speech synthesizer", runNarrate},
		{"align", "find when each sentence of a text is spoken in a recording", runAlign},
		{"export", "write the whole site as static files", runExport},
		{"publish", "upload the site to an S3-compatible bucket, feed last", runPublish},
		{"check", "check a live feed and everything it links to", runCheck},
		{"validate", "check the show as serve would load it; exit 1 with its problems", runValidate},
		{"version", "print the version and commit readcast was built from", runVersion},
	}
}

// run is main without the process: tests call it with their own args,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runEnv(ctx, env{getenv: getenv, stdout: stdout, stderr: stderr}, args)
}

// runEnv runs the command args name with e.
func runEnv(ctx context.Context, e env, args []string) error {
	name := "serve"
	if len(args) > 0 && (args[0] == "-version" || args[0] == "--version") {
		name, args = "version", args[1:]
	} else if len(args) > 0 && len(args[0]) > 0 && (args[0][0] != '-' || isHelp(args[0])) {
		name, args = args[0], args[1:]
	}
	if name == "help" || isHelp(name) {
		usage(e.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args)
		}
	}
	usage(e.stderr)
	return fmt.Errorf("unknown command %q", name)
}

// isHelp says whether arg asks for help rather than naming a command.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: readcast <command> [flags]   (no command: serve)\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nStart a show: readcast init -dir myshow -source recollection.md (docs/your-own-show.md).")
	fmt.Fprintln(w, "Run 'readcast <command> -h' for a command's flags.")
}

// fail is a command's error: prefixed with the command's name, unless it
// is a problem with the show's files, whose message already starts with
// the file's path (one prefix, the one that says where to look).
func fail(name string, err error) error {
	var se *show.Error
	if err == nil || errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// newFlags makes a flag set that reports errors instead of exiting, so run
// stays testable.
func newFlags(e env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("readcast "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(e env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// pauseHook is e's pause hook bound to ctx, for publish.Config.Pause and
// bucket.Options.Pause; nil when e has none.
func (e env) pauseHook(ctx context.Context) func(step string) {
	if e.pause == nil {
		return nil
	}
	return func(step string) { e.pause(ctx, step) }
}
