package show

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSeed(t *testing.T) {
	s, o, err := Load("../../episodes")
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != "serial" || s.Explicit || !s.Synthetic || s.Source == "" {
		t.Errorf("seed show = %+v", s)
	}
	if !strings.Contains(strings.ToLower(s.Description), "synthesized") {
		t.Error("the description does not say the narration is synthesized")
	}
	if o == nil {
		t.Fatal("nil overrides")
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`{"title":"","owner":{"email":"nope"},"type":"weekly","source":"../x"}`))
	if err == nil {
		t.Fatal("no error for a broken show.json")
	}
	for _, want := range []string{"title is missing", "owner.email", "categories", `type "weekly"`, "inside the show's directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestUnknownFieldIsAnError(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("../../episodes/show.json")
	os.WriteFile(filepath.Join(dir, MetadataFile), data, 0o644)
	os.WriteFile(filepath.Join(dir, OverridesFile), []byte(`{"chapter_title": {}}`), 0o644)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "chapter_title") {
		t.Errorf("a misspelt override key gave %v", err)
	}
}

func TestLoadWithoutShowSaysWhatToDo(t *testing.T) {
	_, _, err := Load(t.TempDir())
	if !errors.Is(err, ErrNoMetadata) || !strings.Contains(err.Error(), "readcast init -source") || !strings.Contains(err.Error(), "-dir") {
		t.Errorf("no show.json: %v", err)
	}
}

func TestReadText(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadText(filepath.Join(dir, "nope.md")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "no such file: check the name") {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadText(dir); err == nil || !strings.HasPrefix(err.Error(), dir+": it is a directory") {
		t.Errorf("directory: %v", err)
	}
	p := filepath.Join(dir, "t.md")
	os.WriteFile(p, []byte("Text."), 0o644)
	if b, err := ReadText(p); err != nil || string(b) != "Text." {
		t.Errorf("a readable text: %q, %v", b, err)
	}
}

// FuzzParse: any bytes give a show or an *Error that lists its problems,
// never a panic; a show Parse accepts has no problem left.
func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("../../episodes/show.json")
	f.Add(seed)
	f.Add([]byte(`{"title": `))
	f.Add([]byte(`{"categories": [{"name": "Memoir"}], "link": "x", "first_published": "2026-02-30"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || len(se.Problems) == 0 {
				t.Fatalf("error %v is not a list of problems", err)
			}
			return
		}
		if p := s.Problems(); len(p) > 0 {
			t.Fatalf("Parse accepted a show with problems: %v", p)
		}
	})
}
