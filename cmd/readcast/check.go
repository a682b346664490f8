package main

import (
	"context"
	"fmt"

	"github.com/readcast/readcast/internal/check"
)

// runCheck is `readcast check [-timeout 30s] URL`: it checks a live feed and
// everything it links to, prints one line a problem and a summary, and
// fails when any check does.
func runCheck(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "check")
	timeout := fs.Duration("timeout", check.DefaultTimeout, "give up on a request after this long without a response or more of its body")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: readcast check [-timeout 30s] URL\n\nChecks the podcast feed at URL and everything it links to.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("check: want one feed URL, got %d arguments", fs.NArg())
	}
	rep, err := check.Run(ctx, fs.Arg(0), check.Options{Timeout: *timeout})
	if rep != nil {
		if werr := rep.Write(e.stdout); werr != nil && err == nil {
			err = fmt.Errorf("check: %w", werr)
		}
	}
	if err != nil {
		return err
	}
	switch n := len(rep.Failures); n {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("check: 1 failure in %s", rep.URL)
	default:
		return fmt.Errorf("check: %d failures in %s", n, rep.URL)
	}
}
