package main

import (
	"context"
	"errors"
)

// These commands are specified in DESIGN.md and land with their issues; until
// then they say so plainly instead of pretending.
var errNotBuilt = errors.New("not built yet")

func runAlign(ctx context.Context, e env, args []string) error {
	return errors.New("align: " + errNotBuilt.Error() + " (issue 6)")
}
