package transcript

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestHTMLStructure reads the HTML transcript as a browser would build it:
// elements balanced, every sentence a span with its own id, text escaped so
// that it comes back as written, and the structure of the Doc.
func TestHTMLStructure(t *testing.T) {
	d := fixtureDoc(t)
	b, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var stack []string
	spans := map[string]string{} // sentence id → text
	count := map[string]int{}
	var spanID string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			count[tok.Name.Local]++
			if tok.Name.Local == "span" {
				for _, a := range tok.Attr {
					if a.Name.Local == "id" {
						spanID = a.Value
					}
				}
				text.Reset()
			}
			if tok.Name.Local == "html" && (len(tok.Attr) != 1 || tok.Attr[0].Value != "en") {
				t.Errorf("html element has %v, want lang=en", tok.Attr)
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Name.Local {
				t.Fatalf("</%s> closes %v", tok.Name.Local, stack)
			}
			stack = stack[:len(stack)-1]
			if tok.Name.Local == "span" {
				if _, dup := spans[spanID]; dup {
					t.Errorf("span id %q repeated", spanID)
				}
				spans[spanID] = text.String()
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed %v", stack)
	}
	for _, s := range d.Map.Sentences {
		if spans[s.ID] != s.Text {
			t.Errorf("span %s holds %q, want %q", s.ID, spans[s.ID], s.Text)
		}
	}
	for name, want := range map[string]int{"h1": 1, "section": len(d.Chapters), "h2": len(d.Chapters), "h3": 2, "blockquote": 1,
		"p": 4, "span": len(d.Map.Sentences), "time": len(d.Chapters) + len(d.Paragraphs)} {
		if count[name] != want {
			t.Errorf("%d <%s>, want %d", count[name], name, want)
		}
	}
}
