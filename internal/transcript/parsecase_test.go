package transcript

import (
	"errors"
	"testing"
)

// parseCase is a row of a parser's table: an input, what it parses to, or
// that it is a syntax error.
type parseCase[T any] struct {
	name string
	in   string
	want T
	err  bool
}

// runParseCases runs a parser's table: each input parses to what its row
// wants, by equal, or fails with an error wrapping ErrSyntax.
func runParseCases[T any](t *testing.T, cases []parseCase[T], parse func([]byte) (T, error), equal func(a, b T) bool) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse([]byte(tc.in))
			if tc.err {
				if !errors.Is(err, ErrSyntax) {
					t.Fatalf("got %+v, %v; want an error wrapping ErrSyntax", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// roundTrip renders the fixture with render, parses it back with parse and
// returns what it parsed to, for the caller to compare with what it wants.
func roundTrip[T any](t *testing.T, render func(Doc) ([]byte, error), parse func([]byte) (T, error)) (Doc, T) {
	t.Helper()
	d := fixtureDoc(t)
	b, err := render(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return d, got
}
