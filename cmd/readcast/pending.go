package main

import (
	"errors"
)

// These commands are specified in DESIGN.md and land with their issues; until
// then they say so plainly instead of pretending.
var errNotBuilt = errors.New("not built yet")
