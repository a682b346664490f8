package testtool

import (
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"a b c", "a b c", 0}, {"a b c", "a c", 1}, {"a b", "a x b y", 2}, {"", "a", 1}, {"a", "", 1}} {
		if got := EditDistance(strings.Fields(tt.a), strings.Fields(tt.b)); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
