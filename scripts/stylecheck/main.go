// Command stylecheck enforces the size rules of CONTRIBUTING.md on the Go
// code outside tests: no function over 80 lines (from its func line to its
// closing brace) and none with cyclomatic complexity over 25 (as gocyclo,
// pinned in go.mod, counts it). A function that reads better whole says
// why in its doc comment, on a line of its own:
//
//	// style: whole because the steps share one state machine's locals.
//
// and is then not reported (-v lists these exceptions). Tests (_test.go),
// testdata, hidden directories and third_party code are not checked.
//
// Usage: go run ./scripts/stylecheck [-lines 80] [-complexity 25] [-v] [dir ...]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/fzipp/gocyclo"
)

// marker is the exception: "style: whole because" and a reason.
var marker = regexp.MustCompile(`^style: whole because \S`)

// fn is one function the rules apply to.
type fn struct {
	pos        token.Position
	name       string
	lines      int
	complexity int
	whole      bool // has the marker
}

func main() {
	maxLines := flag.Int("lines", 80, "longest function allowed, in lines")
	maxComplexity := flag.Int("complexity", 25, "highest cyclomatic complexity allowed")
	verbose := flag.Bool("v", false, "also list the functions excepted by their marker")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	var fns []fn
	for _, d := range dirs {
		found, err := walk(d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "stylecheck:", err)
			os.Exit(2)
		}
		fns = append(fns, found...)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].pos.String() < fns[j].pos.String() })
	bad := 0
	for _, f := range fns {
		over := overLimits(f, *maxLines, *maxComplexity)
		switch {
		case over == "":
		case f.whole:
			if *verbose {
				fmt.Printf("%s: %s: %s (excepted: whole)\n", f.pos, f.name, over)
			}
		default:
			fmt.Printf("%s: %s: %s\n", f.pos, f.name, over)
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "stylecheck: %d function(s) over the limits: split them along their steps, or say why one reads better whole with a \"// style: whole because …\" line in its doc comment\n", bad)
		os.Exit(1)
	}
}

// overLimits says which limits f is over, or "".
func overLimits(f fn, maxLines, maxComplexity int) string {
	var over []string
	if f.lines > maxLines {
		over = append(over, fmt.Sprintf("%d lines (limit %d)", f.lines, maxLines))
	}
	if f.complexity > maxComplexity {
		over = append(over, fmt.Sprintf("cyclomatic complexity %d (limit %d)", f.complexity, maxComplexity))
	}
	return strings.Join(over, ", ")
}

// walk parses every Go file under root that the rules apply to.
func walk(root string) ([]fn, error) {
	var fns []fn
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "third_party" || name == "vendor") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		fns = append(fns, functions(fset, f)...)
		return nil
	})
	return fns, err
}

// functions lists the file's functions and methods, and the function
// literals bound to package variables (as gocyclo does).
func functions(fset *token.FileSet, f *ast.File) []fn {
	var fns []fn
	add := func(node ast.Node, name string, doc *ast.CommentGroup) {
		start, end := fset.Position(node.Pos()), fset.Position(node.End())
		fns = append(fns, fn{
			pos: start, name: name, lines: end.Line - start.Line + 1,
			complexity: gocyclo.Complexity(node), whole: hasMarker(doc),
		})
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			add(d, funcName(d), d.Doc)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, v := range vs.Values {
					if lit, ok := v.(*ast.FuncLit); ok && i < len(vs.Names) {
						doc := vs.Doc
						if doc == nil {
							doc = d.Doc
						}
						add(lit, vs.Names[i].Name, doc)
					}
				}
			}
		}
	}
	return fns
}

func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	return "(" + types.ExprString(d.Recv.List[0].Type) + ")." + d.Name.Name
}

func hasMarker(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, line := range strings.Split(doc.Text(), "\n") {
		if marker.MatchString(strings.TrimSpace(line)) {
			return true
		}
	}
	return false
}
