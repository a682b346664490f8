package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/segment"
)

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), args, getenv, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestOutlineText(t *testing.T) {
	out, err := runCmd(t, "outline", "-dir", "../../episodes")
	if err != nil {
		t.Fatalf("outline: %v\n%s", err, out)
	}
	for _, want := range []string{"01-my-youth-in-the-ussr", "Introduction", "Dropped lines (4)", "image caption", "link text"} {
		if !strings.Contains(out, want) {
			t.Errorf("outline output lacks %q", want)
		}
	}
}

func TestOutlineJSONIsStable(t *testing.T) {
	a, err := runCmd(t, "outline", "-dir", "../../episodes", "-json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := runCmd(t, "outline", "-dir", "../../episodes", "-json")
	if a != b {
		t.Fatal("two runs printed different JSON")
	}
	var o segment.Outline
	if err := json.Unmarshal([]byte(a), &o); err != nil {
		t.Fatalf("outline -json is not JSON: %v", err)
	}
	if len(o.Episodes) < 4 || len(o.Dropped) != 4 {
		t.Errorf("JSON has %d episodes and %d dropped lines", len(o.Episodes), len(o.Dropped))
	}
}

func TestOutlineOtherSource(t *testing.T) {
	out, err := runCmd(t, "outline", "-source", "../../internal/segment/testdata/lighthouse.md")
	if err != nil {
		t.Fatalf("outline -source: %v", err)
	}
	if !strings.Contains(out, "Letters from the mainland") {
		t.Errorf("outline of the Markdown text lacks its sections:\n%s", out)
	}
}

func TestErrorsAreClear(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"outline", "-source", "does-not-exist.txt"}, "no such file"},
		{[]string{"outline", "-dir", t.TempDir()}, "no show.json"},
		{[]string{"nonsense"}, `unknown command "nonsense"`},
	}
	for _, tt := range tests {
		_, err := runCmd(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("readcast %v: err = %v, want it to say %q", tt.args, err, tt.want)
		}
	}
}
