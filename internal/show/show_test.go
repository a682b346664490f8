package show

import (
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
