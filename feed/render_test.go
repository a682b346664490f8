package feed

import (
	"bytes"
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

func TestTagScanner(t *testing.T) {
	doc := `<?xml version="1.0"?>` + "\n" + `<rss a="1"><channel><x:y b="2"></x:y><e/><e2 c="&gt;"/>text &lt;no tag&gt;</channel></rss>`
	var got []string
	for sc := (tagScanner{b: []byte(doc)}); sc.next(); {
		kind := "+"
		if sc.kind == endTag {
			kind = "-"
		}
		got = append(got, kind+string(sc.name))
	}
	want := "+rss +channel +x:y -x:y +e -e +e2 -e2 -channel -rss"
	if strings.Join(got, " ") != want {
		t.Errorf("tags %q, want %q", strings.Join(got, " "), want)
	}
}

// escapeCases are strings that exercise every branch of escape.
var escapeCases = []string{
	"", "plain", `<a href="x">&amp;</a>`, "it's \"q\"", "tab\tnl\ncr\r",
	"bell\a nul\x00 ff\f", "bad \xff\xfe utf8", "\uFFFD kept", "emoji 🎧 ü", "\U0010FFFF \uFFFE \uD7FF",
}

func TestEscapeMatchesEncodingXML(t *testing.T) {
	for _, s := range escapeCases {
		checkEscape(t, s)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range escapeCases {
		f.Add(s)
	}
	f.Fuzz(checkEscape)
}

func checkEscape(t *testing.T, s string) {
	var got, want bytes.Buffer
	escape(&got, s)
	if err := xml.EscapeText(&want, []byte(s)); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("escape(%q) = %q, xml.EscapeText gives %q", s, got.String(), want.String())
	}
}

func FuzzCDATA(f *testing.F) {
	for _, s := range append(escapeCases, "]]>", "]]]]>", "a]]>b]]>c", "]", "]]", "]]>]]>") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		safe := xmlSafe(s)
		var b bytes.Buffer
		b.WriteString("<x>")
		cdata(&b, safe)
		b.WriteString("</x>")
		var v struct {
			Text string `xml:",chardata"`
		}
		if err := xml.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		// XML parsers turn "\r\n" and "\r" into "\n", in CDATA too.
		want := strings.ReplaceAll(strings.ReplaceAll(safe, "\r\n", "\n"), "\r", "\n")
		if v.Text != want {
			t.Errorf("CDATA of %q reads back as %q", want, v.Text)
		}
	})
}
