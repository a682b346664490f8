package web

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/metrics"
)

// health is what readiness depends on besides the snapshot itself: how
// the last reload went, whether the snapshot is a fallback, and publishes
// that failed and were not followed by a good one.
type health struct {
	mu        sync.Mutex
	started   time.Time
	loadedAt  time.Time // when the snapshot being served was swapped in
	reloadErr string
	reloadAt  time.Time
	fallback  string
	publishes map[string]string // episode → error of its last publish
}

// swapped records that a freshly loaded show is served: a failed reload or
// a fallback before it no longer holds.
func (s *Server) swapped(snap *catalog.Snapshot) {
	now := time.Now()
	s.health.mu.Lock()
	s.health.loadedAt, s.health.reloadErr, s.health.fallback = now, "", ""
	s.health.mu.Unlock()
	eps := make([]metrics.Episode, 0, len(snap.Episodes))
	for _, e := range snap.Episodes {
		me := metrics.Episode{Slug: e.Slug()}
		if e.Audio != nil {
			me.Bitrate, me.Size = e.Info.Bitrate, e.Audio.Size
		}
		eps = append(eps, me)
	}
	s.metrics.Show(eps, len(snap.Problems), now)
}

// ReloadFailed records a reload that failed: the server is not ready until
// one succeeds.
func (s *Server) ReloadFailed(err error) {
	s.metrics.ReloadFailed()
	s.health.mu.Lock()
	s.health.reloadErr, s.health.reloadAt = err.Error(), time.Now()
	s.health.mu.Unlock()
}

// ServingFallback records that the snapshot served is the last good show,
// not the one on disk, and why: not ready until a reload succeeds.
func (s *Server) ServingFallback(why string) {
	s.health.mu.Lock()
	s.health.fallback = why
	s.health.mu.Unlock()
}

// PublishEnded records how a publish of an episode ended: a failure keeps
// the server not ready until a later publish of the episode succeeds.
func (s *Server) PublishEnded(episode string, err error) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if err == nil {
		delete(s.health.publishes, episode)
		s.metrics.Publish(metrics.ResultOK)
		return
	}
	if s.health.publishes == nil {
		s.health.publishes = map[string]string{}
	}
	s.health.publishes[episode] = err.Error()
	s.metrics.Publish(metrics.ResultError)
}

// Readiness is the body of /readyz.
type Readiness struct {
	Ready    bool      `json:"ready"`
	Show     string    `json:"show"`
	Episodes int       `json:"episodes"`
	Recorded int       `json:"recorded"`
	LoadedAt time.Time `json:"loaded_at"`
	// Problems say why the server is not ready, one thing each.
	Problems []string `json:"problems,omitempty"`
}

// Ready checks the server's readiness now: the last reload succeeded, the
// show served is the one on disk, it has no problems, every recording it
// serves is still there unchanged and readable, and no publish failed
// since the last good one.
func (s *Server) Ready() Readiness {
	snap := s.Snapshot()
	s.health.mu.Lock()
	rd := Readiness{Show: snap.Show.Title, Episodes: len(snap.Episodes), LoadedAt: s.health.loadedAt.UTC()}
	if s.health.reloadErr != "" {
		rd.Problems = append(rd.Problems, fmt.Sprintf("the reload at %s failed; the previous show is served: %s", s.health.reloadAt.UTC().Format(time.RFC3339), s.health.reloadErr))
	}
	if s.health.fallback != "" {
		rd.Problems = append(rd.Problems, "serving the last good show, not the one on disk: "+s.health.fallback)
	}
	eps := make([]string, 0, len(s.health.publishes))
	for ep := range s.health.publishes {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	for _, ep := range eps {
		rd.Problems = append(rd.Problems, fmt.Sprintf("the last publish of %s failed: %s", ep, s.health.publishes[ep]))
	}
	s.health.mu.Unlock()
	for _, p := range snap.Problems {
		rd.Problems = append(rd.Problems, p.Error())
	}
	for _, e := range snap.Episodes {
		if e.Audio == nil {
			continue
		}
		rd.Recorded++
		if err := unchanged(e.Audio); err != nil {
			rd.Problems = append(rd.Problems, fmt.Sprintf("episode %s: %v", e.Slug(), err))
		}
	}
	rd.Ready = len(rd.Problems) == 0
	return rd
}

// unchanged checks that an asset's file is still the one the snapshot
// hashed (size and modification time) and can be opened.
func unchanged(a *catalog.Asset) error {
	fi, err := os.Stat(a.File)
	if err != nil {
		return fmt.Errorf("its recording is gone or unreadable since the show loaded: %w", err)
	}
	if fi.Size() != a.Size || !fi.ModTime().Equal(a.ModTime) {
		return fmt.Errorf("its recording %s changed since the show loaded (a reload picks it up)", a.File)
	}
	f, err := os.Open(a.File)
	if err != nil {
		return fmt.Errorf("its recording cannot be read: %w", err)
	}
	return f.Close()
}

// handleHealth is liveness: the process answers. It does not look at the
// show, so that an orchestrator does not restart a server that is serving
// the last good show while the one on disk is broken.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	adminJSON(w, http.StatusOK, map[string]any{
		"status":         "ok",
		"uptime_seconds": int64(time.Since(s.health.started).Seconds()),
	})
}

// handleReady is readiness: 200 when everything Ready checks holds, 503
// with the reasons otherwise.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	rd := s.Ready()
	code := http.StatusOK
	if !rd.Ready {
		code = http.StatusServiceUnavailable
	}
	adminJSON(w, code, rd)
}
