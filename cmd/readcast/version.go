package main

import (
	"context"
	"fmt"

	"github.com/readcast/readcast/internal/buildinfo"
)

func runVersion(ctx context.Context, e env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("version: unexpected argument %q", args[0])
	}
	_, err := fmt.Fprintln(e.stdout, buildinfo.Read())
	return err
}
