package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// takesExt names an episode's list of takes in the store.
const takesExt = ".takes.json"

// Take states.
const (
	// TakeHeld: aligned and kept, not in the feed until approved
	// (Publisher.PublishTake).
	TakeHeld = "held"
	// TakeKept: a recording the store keeps: published once, or adopted
	// when another replaced it.
	TakeKept = "kept"
)

// Origins of a take.
const (
	OriginUpload = "upload"
	// OriginAdopted: the recording was in audio/<slug>.mp3 when another
	// replaced it (committed, dropped in, or narrated).
	OriginAdopted = "adopted"
	// OriginNarrateForce: readcast narrate -force moved it aside.
	OriginNarrateForce = "kept by narrate -force"
)

// ErrNoTake is wrapped when an episode has no take of the given name.
var ErrNoTake = errors.New("no such take")

// Take is one recording of an episode that the store keeps until the
// operator prunes it: the original and every upload.
type Take struct {
	// ID names the take: "original" for the recording the episode had
	// before its first upload, then "take-1", "take-2"… in order.
	ID       string    `json:"id"`
	SHA256   string    `json:"sha256"`
	Added    time.Time `json:"added"`
	Origin   string    `json:"origin"`
	Bytes    int64     `json:"bytes,omitempty"`
	Duration float64   `json:"duration,omitempty"`
	State    string    `json:"state"`
	// QA is the alignment's report in one line: its notes counted, or what
	// was checked when there are none.
	QA    string   `json:"qa,omitempty"`
	Notes []string `json:"notes,omitempty"`
	// Live is set in listings when the take is what the episode serves.
	Live bool `json:"live"`
}

func (s *Store) takesPath(slug string) string { return filepath.Join(s.store, slug+takesExt) }

// readTakes reads an episode's takes, oldest first; s.mu is held.
func (s *Store) readTakes(slug string) ([]Take, error) {
	data, err := os.ReadFile(s.takesPath(slug))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	var ts []Take
	if err := json.Unmarshal(data, &ts); err != nil {
		return nil, fmt.Errorf("publish: %s: %w (fix or remove it; the recordings it lists are in %s)", s.takesPath(slug), err, s.store)
	}
	return ts, nil
}

func (s *Store) writeTakes(slug string, ts []Take) error {
	for i := range ts {
		ts[i].Live = false
	}
	data, err := json.MarshalIndent(ts, "", " ")
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := temps.Write(s.takesPath(slug), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("publish: takes of %s: %w", slug, err)
	}
	return nil
}

// addTake records t in the episode's list, unless a take of the same
// recording is there (then that one is updated with t's state and report,
// and returned). The ID is assigned here; s.mu is held.
func (s *Store) addTake(slug string, t Take) (Take, error) {
	ts, err := s.readTakes(slug)
	if err != nil {
		return Take{}, err
	}
	for i := range ts {
		if ts[i].SHA256 == t.SHA256 {
			if t.Origin != "" && t.Origin != OriginAdopted {
				ts[i].Origin = t.Origin
			}
			if t.State != "" {
				ts[i].State = t.State
			}
			if t.QA != "" {
				ts[i].QA, ts[i].Notes = t.QA, t.Notes
			}
			return ts[i], s.writeTakes(slug, ts)
		}
	}
	if t.Added.IsZero() {
		t.Added = time.Now().UTC().Truncate(time.Second)
	}
	if t.ID == "" {
		n := 0
		for _, o := range ts {
			if k, ok := strings.CutPrefix(o.ID, "take-"); ok {
				if v, err := strconv.Atoi(k); err == nil && v > n {
					n = v
				}
			}
		}
		t.ID = "take-" + strconv.Itoa(n+1)
		if len(ts) == 0 && t.Origin != OriginUpload {
			t.ID = "original"
		}
	}
	if t.Bytes == 0 {
		if fi, err := os.Stat(s.RecordingPath(t.SHA256)); err == nil {
			t.Bytes = fi.Size()
		}
	}
	ts = append(ts, t)
	return t, s.writeTakes(slug, ts)
}

// Takes lists the takes the store keeps of an episode, oldest first, with
// the live one marked.
func (s *Store) Takes(slug string) ([]Take, error) {
	if !ValidSlug(slug) {
		return nil, fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, cur, err := s.takesAndLive(slug)
	for i := range ts {
		ts[i].Live = ts[i].SHA256 == cur
	}
	return ts, err
}

// takesAndLive reads the episode's takes and the hash of its live
// recording; s.mu is held.
func (s *Store) takesAndLive(slug string) ([]Take, string, error) {
	ts, err := s.readTakes(slug)
	if err != nil {
		return nil, "", err
	}
	cur, _, err := s.current(slug)
	if err != nil {
		return nil, "", err
	}
	return ts, cur, nil
}

// Take returns the episode's take named id: its ID, or the first 12 or
// more hex digits of its hash.
func (s *Store) Take(slug, id string) (Take, error) {
	ts, err := s.Takes(slug)
	if err != nil {
		return Take{}, err
	}
	for _, t := range ts {
		if t.ID == id || (len(id) >= 12 && strings.HasPrefix(t.SHA256, id)) {
			return t, nil
		}
	}
	var names []string
	for _, t := range ts {
		names = append(names, t.ID)
	}
	return Take{}, fmt.Errorf("publish: episode %s: %w %q (takes: %s)", slug, ErrNoTake, id, strings.Join(names, ", "))
}

// Keep puts the episode's live recording in the store, as a take with the
// given origin, so that it survives whatever replaces audio/<slug>.mp3
// (readcast narrate -force). It returns the take and the path of the
// recording in the store; a zero Take when the episode has no recording.
func (s *Store) Keep(slug, origin string) (Take, string, error) {
	if !ValidSlug(slug) {
		return Take{}, "", fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sum, err := s.adopt(slug)
	if err != nil || sum == "" {
		return Take{}, "", err
	}
	t, err := s.addTake(slug, Take{SHA256: sum, Origin: origin, State: TakeKept})
	return t, s.RecordingPath(sum), err
}

// Prune removes the oldest takes of an episode until keep remain, never
// the live one nor the one restore would bring back. It is the only way a
// take leaves the store. It returns the takes removed.
func (s *Store) Prune(slug string, keep int) ([]Take, error) {
	if !ValidSlug(slug) {
		return nil, fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	if keep < 1 {
		return nil, errors.New("publish: keep at least one take")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, cur, err := s.takesAndLive(slug)
	if err != nil {
		return nil, err
	}
	prev, err := s.previous(slug)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Added.Before(ts[j].Added) })
	var kept, removed []Take
	excess := len(ts) - keep
	for _, t := range ts {
		if excess > 0 && t.SHA256 != cur && t.SHA256 != prev {
			removed = append(removed, t)
			excess--
			continue
		}
		kept = append(kept, t)
	}
	if err := s.writeTakes(slug, kept); err != nil {
		return nil, err
	}
	// The list no longer names them: the store's clean-up removes the
	// recordings nothing else uses.
	if _, err := s.prune(); err != nil {
		return removed, err
	}
	return removed, nil
}

// taken returns every hash any episode's takes list; s.mu is held.
func (s *Store) taken() (map[string]bool, error) {
	out := map[string]bool{}
	files, err := filepath.Glob(filepath.Join(s.store, "*"+takesExt))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		slug := strings.TrimSuffix(filepath.Base(f), takesExt)
		ts, err := s.readTakes(slug)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			out[t.SHA256] = true
		}
	}
	return out, nil
}
