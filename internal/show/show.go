package show

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/readcast/readcast/feed"
)

// Files in the episodes directory.
const (
	MetadataFile  = "show.json"
	OverridesFile = "overrides.json"
)

// Show is the podcast's metadata.
type Show struct {
	Title       string     `json:"title"`
	Subtitle    string     `json:"subtitle"`
	Description string     `json:"description"`
	Author      string     `json:"author"`
	Owner       Owner      `json:"owner"`
	Language    string     `json:"language"` // BCP 47, e.g. "en"
	Categories  []Category `json:"categories"`
	Explicit    bool       `json:"explicit"`
	Type        string     `json:"type"` // "serial" or "episodic"
	// Link is the show's website, or the page of the original text;
	// optional: without one the feed links to the show's own pages.
	Link      string `json:"link"`
	Copyright string `json:"copyright"`
	// Credit is a line crediting the original text, appended to the
	// description; optional.
	Credit string `json:"credit"`
	// Source is the text file the episodes are made from, relative to the
	// episodes directory.
	Source string `json:"source"`
	// Synthetic is true while the narration is synthesized speech; the
	// description and the feed then say so.
	Synthetic bool `json:"synthetic"`
	// Narrator names the voice: a person, or the synthesizer.
	Narrator string `json:"narrator"`
	// Cover names the artwork file in the episodes directory (JPEG);
	// default cover.jpg. readcast draws one only when there is none.
	Cover string `json:"cover,omitempty"`
	// FirstPublished is the date (YYYY-MM-DD) the first episode is dated;
	// later episodes follow a day apart so that date order is reading order.
	FirstPublished string `json:"first_published"`
}

// Owner is who to contact about the feed (itunes:owner, podcast:locked).
type Owner struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Category is an Apple Podcasts category with an optional subcategory.
type Category struct {
	Name        string `json:"name"`
	Subcategory string `json:"subcategory,omitempty"`
}

// Overrides are editorial choices that take precedence over what the
// segmenter derives. Keys are sentence IDs from `readcast outline -json`,
// which are stable across runs and edits elsewhere in the text.
type Overrides struct {
	// ChapterTitles names the chapter that begins with the given sentence.
	ChapterTitles map[string]string `json:"chapter_titles,omitempty"`
	// SplitBefore starts a new chapter at the paragraph holding the given sentence.
	SplitBefore []string `json:"split_before,omitempty"`
	// MaxEpisodeMinutes overrides the longest estimated episode.
	MaxEpisodeMinutes float64 `json:"max_episode_minutes,omitempty"`
	// WordsPerMinute overrides the narration speed used for estimates.
	WordsPerMinute float64 `json:"words_per_minute,omitempty"`
}

// ErrNoMetadata is returned by Load when the directory has no show.json.
var ErrNoMetadata = errors.New("no " + MetadataFile)

// Error is what is wrong with a file of the show: every problem at once,
// each naming the field and what to write, so that one edit fixes them all.
// Its text starts with the file's path; callers need add no prefix.
type Error struct {
	Path     string
	Problems []string
	Err      error // the cause, when there is one (os.ErrNotExist, segment.ErrEmpty…)
}

// TextError says what is wrong with the text at path: err's message, which
// must say what to do.
func TextError(path string, err error) *Error {
	return &Error{Path: path, Problems: []string{err.Error()}, Err: err}
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return e.Path + ": " + e.Problems[0]
	}
	return fmt.Sprintf("%s has %d problems:\n  - %s", e.Path, len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

// Load reads and validates show.json and, when present, overrides.json.
// Every command reads the show through Load, so a show one command accepts
// every command accepts.
func Load(dir string) (*Show, *Overrides, error) {
	path := filepath.Join(dir, MetadataFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, &Error{Path: dir, Err: ErrNoMetadata, Problems: []string{"there is no show here (no " + MetadataFile + "): make one with `readcast init -source YOUR-TEXT.md`, or point -dir (or READCAST_DIR) at the directory that has the show"}}
	}
	if err != nil {
		return nil, nil, err
	}
	s, err := Parse(data)
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			se.Path = path
		}
		return nil, nil, err
	}
	var o Overrides
	path = filepath.Join(dir, OverridesFile)
	data, err = os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, nil, err
	default:
		if err := decodeStrict(data, &o, "chapter_titles, split_before, max_episode_minutes, words_per_minute"); err != nil {
			return nil, nil, &Error{Path: path, Problems: []string{err.Error()}}
		}
	}
	return s, &o, nil
}

// Parse decodes and validates show metadata. Its error is an *Error
// without a path.
func Parse(data []byte) (*Show, error) {
	var s Show
	if err := decodeStrict(data, &s, strings.Join(fieldNames, ", ")); err != nil {
		return nil, &Error{Path: MetadataFile, Problems: []string{err.Error()}}
	}
	if p := s.Problems(); len(p) > 0 {
		return nil, &Error{Path: MetadataFile, Problems: p}
	}
	return &s, nil
}

// fieldNames are show.json's fields, in the order init writes them.
var fieldNames = []string{"title", "subtitle", "description", "author", "owner", "language", "categories", "explicit", "type", "link", "copyright", "credit", "source", "synthetic", "narrator", "first_published", "cover"}

func decodeStrict(data []byte, v any, known string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the file is empty or cut short: write a complete JSON object ({ … })")
	case errors.As(err, &syntax):
		line := 1 + bytes.Count(data[:min(int(syntax.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("line %d is not valid JSON (%v): check the quotes, commas and braces there", line, err)
	case errors.As(err, &typ):
		return fmt.Errorf("%s must be a JSON %s, not a %s", typ.Field, typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("%s is not a field; the fields are %s", strings.TrimPrefix(err.Error(), "json: unknown field "), known)
	}
	return fmt.Errorf("not valid JSON: %v", err)
}

// language is a BCP 47 tag: an ISO 639 code with optional subtags.
var language = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

// Limits the feed must respect (Apple Podcasts): they are checked here so
// that `narrate` refuses what `serve` would.
const (
	maxShort       = 255  // characters: author, subtitle, owner name
	maxDescription = 4000 // bytes of the channel description
	// disclosureRoom is what the feed may add to the description: the
	// credit's separator and the synthesized-speech disclosure.
	disclosureRoom = 120
)

// Problems lists every missing or malformed field, each with what to
// write; empty when the show is complete.
func (s *Show) Problems() []string {
	var p problems
	s.textProblems(&p)
	s.ownerProblems(&p)
	if p.need("language", s.Language, `the text's language code, e.g. "language": "en"`) && !language.MatchString(s.Language) {
		p.add(`language %q is not a language code: write an ISO 639 code such as "en", "fr" or "en-GB"`, s.Language)
	}
	s.categoryProblems(&p)
	if s.Type != "serial" && s.Type != "episodic" {
		p.add(`type %q must be "serial" (episodes are heard in order, as a recollection is) or "episodic"`, s.Type)
	}
	if s.Link != "" {
		if u, err := url.Parse(s.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add(`link %q is not a web address: write an absolute http(s) URL such as "https://example.org/memoir", or leave it out`, s.Link)
		}
	}
	s.sourceProblems(&p)
	return p
}

// problems are what Problems finds, each saying what to write instead.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// need reports whether v is set, and adds a problem showing example when
// it is not.
func (p *problems) need(field, v, example string) bool {
	if strings.TrimSpace(v) == "" {
		p.add("%s is missing: write %s", field, example)
		return false
	}
	return true
}

// short adds a problem when v is longer than Apple allows.
func (p *problems) short(field, v string) {
	if n := utf8.RuneCountInString(v); n > maxShort {
		p.add("%s is %d characters: shorten it to at most %d (Apple's limit)", field, n, maxShort)
	}
}

// textProblems checks the title, subtitle, description and author.
func (s *Show) textProblems(p *problems) {
	p.need("title", s.Title, `the show's name, e.g. "title": "My grandmother's war"`)
	p.short("subtitle", s.Subtitle)
	p.need("description", s.Description, `a few sentences on what the listener will hear, e.g. "description": "A family memoir, read aloud."`)
	if n := len(s.Description) + len(s.Credit) + len(s.Narrator) + disclosureRoom; n > maxDescription {
		p.add("description is too long: with the credit and the disclosure the feed adds it would be %d bytes; shorten description and credit by %d bytes (Apple allows %d)", n, n-maxDescription, maxDescription)
	}
	if p.need("author", s.Author, `who wrote the text, e.g. "author": "Anna Kowalska"`) {
		p.short("author", s.Author)
	}
}

// ownerProblems checks the owner's name and email.
func (s *Show) ownerProblems(p *problems) {
	if p.need("owner.name", s.Owner.Name, `who runs the feed, e.g. "owner": {"name": "Anna Kowalska", "email": "anna@example.org"}`) {
		p.short("owner.name", s.Owner.Name)
	}
	if p.need("owner.email", s.Owner.Email, `an address directories can write to, e.g. "owner": {"name": "…", "email": "anna@example.org"}`) {
		if a, err := mail.ParseAddress(s.Owner.Email); err != nil || a.Address != s.Owner.Email {
			p.add(`owner.email %q is not an email address: write a bare address, e.g. "email": "anna@example.org"`, s.Owner.Email)
		}
	}
}

// categoryProblems checks the categories against Apple's list.
func (s *Show) categoryProblems(p *problems) {
	if len(s.Categories) == 0 {
		p.add(`categories is missing: write at least one Apple Podcasts category, e.g. "categories": [{"name": "Society & Culture", "subcategory": "Personal Journals"}]`)
	}
	for i, c := range s.Categories {
		if err := (feed.Category{Name: c.Name, Sub: c.Subcategory}).Validate(); err != nil {
			p.add("categories[%d]: %v (the list: https://podcasters.apple.com/support/1691-apple-podcasts-categories)", i, err)
		}
	}
}

// sourceProblems checks the text's file name and the first episode's date.
func (s *Show) sourceProblems(p *problems) {
	if p.need("source", s.Source, `the text's file name in the show's directory, e.g. "source": "recollection.md"`) &&
		(strings.Contains(s.Source, "..") || filepath.IsAbs(s.Source)) {
		p.add(`source %q must be a file inside the show's directory: copy the text there and write its name, e.g. "source": "recollection.md"`, s.Source)
	}
	if p.need("first_published", s.FirstPublished, `the first episode's date, e.g. "first_published": "`+time.Now().Format(time.DateOnly)+`" (episode n is dated n-1 days later)`) {
		if _, err := time.Parse(time.DateOnly, s.FirstPublished); err != nil {
			p.add(`first_published %q is not a date: write YYYY-MM-DD, e.g. "first_published": "2026-11-02"`, s.FirstPublished)
		}
	}
}

// FirstDate is the day the first episode is dated, at midnight UTC; the
// show must be valid.
func (s *Show) FirstDate() time.Time {
	t, _ := time.Parse(time.DateOnly, s.FirstPublished)
	return t
}

// ReadText reads the text a show is made from (its source, or init's
// -source), with an error that says what to do when it cannot be read. The
// segmenter judges what is in it (empty, binary, nothing to narrate).
func ReadText(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &Error{Path: path, Err: os.ErrNotExist, Problems: []string{"no such file: check the name (a show's text is named by \"source\" in " + MetadataFile + ")"}}
	case err != nil:
		return nil, TextError(path, fmt.Errorf("cannot be read: %w", errors.Unwrap(err)))
	case fi.IsDir():
		return nil, TextError(path, errors.New("it is a directory: name the text file (plain text or Markdown) instead"))
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrPermission) {
		return nil, &Error{Path: path, Err: os.ErrPermission, Problems: []string{"cannot be read (permission denied): make it readable, e.g. chmod a+r " + path}}
	}
	if err != nil {
		return nil, TextError(path, fmt.Errorf("cannot be read: %w", errors.Unwrap(err)))
	}
	return data, nil
}
