package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// source is a file with a function of n body lines, complexity 1 + ifs,
// with doc as its doc comment.
func source(doc string, n, ifs int) string {
	var b strings.Builder
	b.WriteString("package p\n\n" + doc + "func f(x int) int {\n")
	for range ifs {
		b.WriteString("\tif x > 0 {\n\t\tx--\n\t}\n")
		n -= 3
	}
	for range n {
		b.WriteString("\tx++\n")
	}
	b.WriteString("\treturn x\n}\n")
	return b.String()
}

func TestLimitsAndMarker(t *testing.T) {
	cases := []struct {
		name      string
		src       string
		over      bool
		whole     bool
		wantLines int
	}{
		{"short", source("", 10, 0), false, false, 13},
		{"80 lines is allowed", source("", 77, 0), false, false, 80},
		{"81 lines", source("", 78, 0), true, false, 81},
		{"complexity 26", source("", 75, 25), true, false, 78},
		{"complexity 25", source("", 75, 24), false, false, 78},
		{"excepted", source("// f does it all.\n//\n// style: whole because the steps share one loop's state.\n", 90, 0), true, true, 93},
		{"a marker needs a reason", source("// style: whole because\n", 90, 0), true, false, 93},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "p.go", c.src, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			fns := functions(fset, f)
			if len(fns) != 1 {
				t.Fatalf("%d functions found, want 1", len(fns))
			}
			got := fns[0]
			if got.lines != c.wantLines {
				t.Errorf("lines = %d, want %d", got.lines, c.wantLines)
			}
			if over := overLimits(got, 80, 25) != ""; over != c.over {
				t.Errorf("over the limits = %v (%s), want %v", over, overLimits(got, 80, 25), c.over)
			}
			if got.whole != c.whole {
				t.Errorf("whole = %v, want %v", got.whole, c.whole)
			}
		})
	}
}
