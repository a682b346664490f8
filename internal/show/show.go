package show

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
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
	Link        string     `json:"link"` // the show's website
	Copyright   string     `json:"copyright"`
	Credit      string     `json:"credit"` // credit line for the original text
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

// Load reads and validates show.json and, when present, overrides.json.
func Load(dir string) (*Show, *Overrides, error) {
	data, err := os.ReadFile(filepath.Join(dir, MetadataFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("show: %s: %w", dir, ErrNoMetadata)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("show: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("show: %s: %w", filepath.Join(dir, MetadataFile), err)
	}
	var o Overrides
	data, err = os.ReadFile(filepath.Join(dir, OverridesFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, nil, fmt.Errorf("show: %w", err)
	default:
		if err := decodeStrict(data, &o); err != nil {
			return nil, nil, fmt.Errorf("show: %s: %w", filepath.Join(dir, OverridesFile), err)
		}
	}
	return s, &o, nil
}

// Parse decodes and validates show metadata.
func Parse(data []byte) (*Show, error) {
	var s Show
	if err := decodeStrict(data, &s); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// Validate reports every missing or malformed field at once, so that one
// edit can fix them all.
func (s *Show) Validate() error {
	var errs []error
	need := func(name, v string) {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("%s is required", name))
		}
	}
	need("title", s.Title)
	need("description", s.Description)
	need("author", s.Author)
	need("owner.name", s.Owner.Name)
	need("language", s.Language)
	need("link", s.Link)
	need("source", s.Source)
	if _, err := mail.ParseAddress(s.Owner.Email); err != nil {
		errs = append(errs, fmt.Errorf("owner.email %q is not an email address", s.Owner.Email))
	}
	if len(s.Categories) == 0 {
		errs = append(errs, errors.New("at least one category is required"))
	}
	if s.Type != "serial" && s.Type != "episodic" {
		errs = append(errs, fmt.Errorf("type %q must be serial or episodic", s.Type))
	}
	if strings.Contains(s.Source, "..") || filepath.IsAbs(s.Source) {
		errs = append(errs, fmt.Errorf("source %q must be a file inside the episodes directory", s.Source))
	}
	return errors.Join(errs...)
}
