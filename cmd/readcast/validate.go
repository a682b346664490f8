package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/readcast/readcast/internal/catalog"
)

// runValidate loads the show as serve does at start and lists what is
// wrong, for use before a restart and in the CI of a show's repository.
// It changes nothing on disk.
func runValidate(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "validate")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory` (env READCAST_DIR)")
	baseURL := fs.String("base-url", envOr(e, "READCAST_BASE_URL", "http://localhost"), "the `URL` the show is published under (env READCAST_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("validate: unexpected argument %q", fs.Arg(0))
	}
	snap, err := catalog.Load(ctx, catalog.Config{Dir: *dir, BaseURL: *baseURL, Generator: "readcast"}, nil)
	if err != nil {
		fmt.Fprintf(e.stdout, "%s: the show cannot be served:\n", *dir)
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(e.stdout, "  - %s\n", line)
		}
		return errors.New("validate: the show is broken; serve would not start with it (or would keep serving the last good copy)")
	}
	recorded := 0
	for _, ep := range snap.Episodes {
		if ep.Audio != nil {
			recorded++
		}
	}
	fmt.Fprintf(e.stdout, "%s: %q, %d episodes, %d recorded\n", *dir, snap.Show.Title, len(snap.Episodes), recorded)
	if len(snap.Problems) == 0 {
		fmt.Fprintln(e.stdout, "ok")
		return nil
	}
	fmt.Fprintf(e.stdout, "%d problems (the show is served, but not ready until they are fixed):\n", len(snap.Problems))
	for _, p := range snap.Problems {
		fmt.Fprintf(e.stdout, "  - %v\n", p)
	}
	return fmt.Errorf("validate: %d problems", len(snap.Problems))
}
