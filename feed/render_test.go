package feed

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		long bool
		want string
	}{
		{0, false, "0:00"},
		{59*time.Second + 999*time.Millisecond, false, "0:59"},
		{12*time.Minute + 34*time.Second, false, "12:34"},
		{59*time.Minute + 59*time.Second, false, "59:59"},
		{0, true, "0:00:00"},
		{time.Hour + 2*time.Minute + 3*time.Second, true, "1:02:03"},
		{12*time.Hour + 34*time.Minute + 56*time.Second, true, "12:34:56"},
	} {
		if got := clock(tt.d, tt.long); got != tt.want {
			t.Errorf("clock(%v, %v) = %q, want %q", tt.d, tt.long, got, tt.want)
		}
	}
}

func TestNormalPlayTime(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00:00.000"},
		{1500 * time.Microsecond, "00:00:00.002"},
		{95*time.Second + 500*time.Millisecond, "00:01:35.500"},
		{time.Hour + 59*time.Minute + 59*time.Second + 999400*time.Microsecond, "01:59:59.999"},
		{time.Hour + 59*time.Minute + 59*time.Second + 999600*time.Microsecond, "02:00:00.000"},
		{100 * time.Hour, "100:00:00.000"},
	} {
		if got := normalPlayTime(tt.d); got != tt.want {
			t.Errorf("normalPlayTime(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestUUIDv5(t *testing.T) {
	// RFC 9562, appendix A.4: "www.example.com" in the DNS namespace.
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got, want := uuidV5(dns, "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2"; got != want {
		t.Errorf("uuidV5(DNS, www.example.com) = %s, want %s", got, want)
	}
	if got := uuidV5(podcastNamespace, ""); !isUUID(got) || got[14] != '5' || !strings.ContainsRune("89ab", rune(got[19])) {
		t.Errorf("uuidV5 = %s: not a version 5, RFC 9562 variant UUID", got)
	}
}

func TestCategoryList(t *testing.T) {
	if n := len(appleCategories); n != 19 {
		t.Errorf("%d categories, want Apple's 19", n)
	}
	seen := make(map[string]string)
	for name, subs := range appleCategories {
		for _, s := range subs {
			if other, ok := seen[s]; ok {
				t.Errorf("subcategory %q is under both %q and %q", s, other, name)
			}
			seen[s] = name
			if _, ok := appleCategories[s]; ok {
				t.Errorf("%q is both a category and a subcategory", s)
			}
		}
	}
}

// textCases are strings that need escaping or replacing in XML.
var textCases = []string{
	"", "plain", `<a href="x">&amp;</a>`, "it's \"q\"", "tab\tnl\ncr\r",
	"bell\a nul\x00 ff\f", "bad \xff\xfe utf8", "\uFFFD kept", "emoji 🎧 ü", "\U0010FFFF \uFFFE \uD7FF",
}

// FuzzCDATA checks that HTML made safe by xmlSafe and written as cdata
// reads back as it was, "]]>" included.
func FuzzCDATA(f *testing.F) {
	for _, s := range append(textCases, "]]>", "]]]]>", "a]]>b]]>c", "]", "]]", "]]>]]>") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		safe := xmlSafe(s)
		b, err := xml.Marshal(struct {
			XMLName xml.Name `xml:"x"`
			cdata
		}{cdata: cdata{safe}})
		if err != nil {
			t.Fatalf("%q: %v", safe, err)
		}
		var v struct {
			Text string `xml:",chardata"`
		}
		if err := xml.Unmarshal(b, &v); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		// XML parsers turn "\r\n" and "\r" into "\n", in CDATA too.
		want := strings.ReplaceAll(strings.ReplaceAll(safe, "\r\n", "\n"), "\r", "\n")
		if v.Text != want {
			t.Errorf("CDATA of %q reads back as %q", want, v.Text)
		}
	})
}
