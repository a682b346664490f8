package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/publish"
	"github.com/readcast/readcast/internal/timing"
)

// MinAdminToken is the shortest admin token accepted: a token is the only
// thing between the internet and the show's recordings.
const MinAdminToken = 16

// adminPrefix is where the admin API lives.
const adminPrefix = "/admin"

// admin is the admin API: upload a recording, follow its job, restore the
// previous recording.
type admin struct {
	s      *Server
	pub    *publish.Publisher
	digest [sha256.Size]byte // of the token: compared in constant time, whatever the length
	failed failures          // failed attempts by client address (adminlimit.go)
}

// enableAdmin serves the admin API under /admin to requests that carry
// "Authorization: Bearer <token>" (Config.AdminToken).
func (s *Server) enableAdmin(token string, pub *publish.Publisher) error {
	if len(token) < MinAdminToken {
		return fmt.Errorf("web: the admin token must be at least %d characters (it has %d)", MinAdminToken, len(token))
	}
	if pub == nil {
		return errors.New("web: the admin API needs a publisher")
	}
	a := &admin{s: s, pub: pub, digest: sha256.Sum256([]byte(token))}
	r := mux.NewRouter()
	// The admin router sees the path as sent: "..", "%2F" and the like
	// reach the slug check and get a 400 that says why, instead of being
	// cleaned into some other path.
	r.SkipClean(true)
	r.UseEncodedPath()
	a.registerAdminRoutes(r)
	s.admin = a.authorize(r)
	return nil
}

func (a *admin) registerAdminRoutes(r *mux.Router) {
	r.HandleFunc(adminPrefix+"/episodes/{slug}/audio", a.handleUpload).Methods(http.MethodPut)
	r.HandleFunc(adminPrefix+"/episodes/{slug}/restore", a.handleRestore).Methods(http.MethodPost)
	r.HandleFunc(adminPrefix+"/episodes/{slug}/takes", a.handleTakes).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(adminPrefix+"/episodes/{slug}/takes/prune", a.handlePrune).Methods(http.MethodPost)
	r.HandleFunc(adminPrefix+"/episodes/{slug}/takes/{take}", a.handleTakePage).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(adminPrefix+"/episodes/{slug}/takes/{take}/audio", a.handleTakeAudio).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(adminPrefix+"/episodes/{slug}/takes/{take}/publish", a.handlePublishTake).Methods(http.MethodPost)
	r.HandleFunc(adminPrefix+"/episodes/{slug}", a.handleEpisode).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(adminPrefix+"/jobs/{id}", a.handleJob).Methods(http.MethodGet, http.MethodHead)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, "no such admin resource: "+r.URL.EscapedPath())
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.EscapedPath())
	})
}

// withAdmin sends /admin requests to the admin API when it is enabled.
func (s *Server) withAdmin(next http.Handler) http.Handler {
	if s.admin == nil {
		return next
	}
	route := s.metrics.Route(routeAdmin)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAdmin(cleanPath(r.URL.Path)) {
			if sw, ok := w.(*statusWriter); ok {
				sw.route = route
			}
			s.admin.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isAdmin reports whether a clean path is the admin API's.
func isAdmin(p string) bool { return p == adminPrefix || strings.HasPrefix(p, adminPrefix+"/") }

// authorize lets through only requests with the token, before anything
// else is looked at: without it, no route, slug or body is read. An
// address that keeps failing gets 429 for a while, right or wrong token.
func (a *admin) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientHost(r.RemoteAddr)
		if wait, ok := a.failed.blocked(addr, time.Now()); ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			adminError(w, http.StatusTooManyRequests, "too many wrong admin tokens from this address; try again in "+retryAfter(wait)+" s")
			return
		}
		if !a.authorized(w, r) {
			if r.Header.Get("Authorization") != "" { // a wrong token, not none
				a.failed.fail(addr, time.Now())
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries the token, answering it when not.
func (a *admin) authorized(w http.ResponseWriter, r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if auth == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="readcast admin"`)
		adminError(w, http.StatusUnauthorized, `the admin API needs "Authorization: Bearer <token>"`)
		return false
	}
	given := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(given[:], a.digest[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="readcast admin", error="invalid_token"`)
		adminError(w, http.StatusUnauthorized, "the admin token is wrong")
		return false
	}
	return true
}

// episode finds the episode a request names, answering for it when there
// is none.
func (a *admin) episode(w http.ResponseWriter, r *http.Request) (*catalog.Snapshot, *catalog.Episode, bool) {
	slug := mux.Vars(r)["slug"]
	if !publish.ValidSlug(slug) {
		adminError(w, http.StatusBadRequest, fmt.Sprintf("%q is not an episode slug: slugs are lowercase letters and digits joined by hyphens, like 01-my-youth-in-the-ussr", slug))
		return nil, nil, false
	}
	snap := a.s.Snapshot()
	e, err := snap.Episode(slug)
	if err != nil {
		adminError(w, http.StatusNotFound, "the show has no episode "+slug)
		return nil, nil, false
	}
	return snap, e, true
}

// handleUpload receives a recording of an episode: it streams the body to
// disk under the size limit, validates it, and answers 202 with the job
// that aligns and publishes it.
func (a *admin) handleUpload(w http.ResponseWriter, r *http.Request) {
	snap, e, ok := a.episode(w, r)
	if !ok {
		return
	}
	limit := a.pub.MaxUpload()
	if r.ContentLength > limit {
		adminError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the upload is %d bytes; the limit is %d bytes", r.ContentLength, limit))
		return
	}
	body := &bodyReader{r: r.Body}
	opt := publish.UploadOptions{Review: r.URL.Query().Get("review") == "always"}
	job, err := a.pub.Upload(r.Context(), publish.Episode{Outline: e.Outline, TextSHA256: snap.Outline.SourceSHA, Language: snap.Show.Language}, body, opt)
	if err != nil {
		if body.err != nil && !errors.Is(err, publish.ErrTooLarge) {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("the upload was cut off after %d bytes (%v); nothing was kept", body.n, body.err))
			return
		}
		if !errors.Is(err, publish.ErrTooLarge) {
			// The server failed (a full disk) with the body half read:
			// read the rest, up to the limit, so the client gets the
			// answer instead of a connection reset.
			io.Copy(io.Discard, io.LimitReader(body, limit+1-body.n))
		}
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", adminPrefix+"/jobs/"+job.ID)
	adminJSON(w, http.StatusAccepted, job)
}

// handleRestore makes the previous recording of an episode live again, or
// the take ?take= names (as POST …/takes/<take>/publish).
func (a *admin) handleRestore(w http.ResponseWriter, r *http.Request) {
	snap, e, ok := a.episode(w, r)
	if !ok {
		return
	}
	if id := r.URL.Query().Get("take"); id != "" {
		a.publishTake(w, r, snap, e, id)
		return
	}
	url, err := a.pub.Restore(r.Context(), e.Slug())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	adminJSON(w, http.StatusOK, map[string]string{"episode": e.Slug(), "audio_url": url})
}

// handleEpisode says which recording of an episode is live, and which one
// restore would bring back.
func (a *admin) handleEpisode(w http.ResponseWriter, r *http.Request) {
	snap, e, ok := a.episode(w, r)
	if !ok {
		return
	}
	out := struct {
		Episode        string  `json:"episode"`
		Title          string  `json:"title"`
		Words          int     `json:"words"`
		AudioURL       string  `json:"audio_url,omitempty"`
		AudioSHA256    string  `json:"audio_sha256,omitempty"`
		ServedSHA256   string  `json:"served_sha256,omitempty"`
		Narrated       bool    `json:"narrated"`
		Duration       float64 `json:"duration,omitempty"`
		Timed          bool    `json:"timed"`
		PreviousSHA256 string  `json:"previous_sha256,omitempty"`
	}{Episode: e.Slug(), Title: e.Outline.Title, Words: e.Outline.Words, Timed: e.Timing != nil}
	if e.Audio != nil {
		out.AudioURL, out.AudioSHA256, out.Duration = snap.BaseURL+e.Audio.Path, e.RecordingSHA256, e.Info.Duration
		out.ServedSHA256, out.Narrated = e.Audio.SHA256, e.Narrated
	}
	prev, err := a.pub.Store().Previous(e.Slug())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out.PreviousSHA256 = prev
	adminJSON(w, http.StatusOK, out)
}

// handleTakes lists the takes the store keeps of an episode.
func (a *admin) handleTakes(w http.ResponseWriter, r *http.Request) {
	_, e, ok := a.episode(w, r)
	if !ok {
		return
	}
	ts, err := a.pub.Store().Takes(e.Slug())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ts == nil {
		ts = []publish.Take{}
	}
	adminJSON(w, http.StatusOK, map[string]any{"episode": e.Slug(), "takes": ts})
}

// handlePrune removes the oldest takes of an episode until ?keep= remain.
func (a *admin) handlePrune(w http.ResponseWriter, r *http.Request) {
	_, e, ok := a.episode(w, r)
	if !ok {
		return
	}
	keep, err := strconv.Atoi(r.URL.Query().Get("keep"))
	if err != nil || keep < 1 {
		adminError(w, http.StatusBadRequest, "say how many takes to keep: ?keep=N, N at least 1")
		return
	}
	removed, err := a.pub.Store().Prune(e.Slug(), keep)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if removed == nil {
		removed = []publish.Take{}
	}
	adminJSON(w, http.StatusOK, map[string]any{"episode": e.Slug(), "removed": removed})
}

// take finds the take a request names.
func (a *admin) take(w http.ResponseWriter, r *http.Request) (*catalog.Episode, publish.Take, bool) {
	_, e, ok := a.episode(w, r)
	if !ok {
		return nil, publish.Take{}, false
	}
	t, err := a.pub.Store().Take(e.Slug(), mux.Vars(r)["take"])
	if err != nil {
		a.fail(w, r, err)
		return nil, publish.Take{}, false
	}
	return e, t, true
}

// handleTakeAudio serves a take's recording as it was uploaded.
func (a *admin) handleTakeAudio(w http.ResponseWriter, r *http.Request) {
	_, t, ok := a.take(w, r)
	if !ok {
		return
	}
	f, err := os.Open(a.pub.Store().RecordingPath(t.SHA256))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", catalog.TypeMP3)
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", t.Added, f)
}

// handleTakePage is a take's preview page: its QA report and notes, its
// audio, and the transcript with the times the alignment found, so that a
// held take can be judged before it is published.
func (a *admin) handleTakePage(w http.ResponseWriter, r *http.Request) {
	e, t, ok := a.take(w, r)
	if !ok {
		return
	}
	d := takePage{Episode: e.Outline.Title, Slug: e.Slug(), Take: t, Audio: adminPrefix + "/episodes/" + e.Slug() + "/takes/" + t.ID + "/audio"}
	dir := a.pub.Store().Dir()
	for _, p := range []string{catalog.TimingPathFor(dir, t.SHA256, catalog.TextKey(e.Outline)), catalog.TimingPath(dir, t.SHA256)} {
		if data, err := os.ReadFile(p); err == nil {
			if m, err := timing.Parse(data); err == nil {
				d.Sentences = m.Sentences
				break
			}
		}
	}
	var b bytes.Buffer
	if err := takeTemplate.Execute(&b, d); err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b.Bytes())
}

type takePage struct {
	Episode, Slug, Audio string
	Take                 publish.Take
	Sentences            []timing.Sentence
}

var takeTemplate = template.Must(template.New("take").Funcs(template.FuncMap{
	"secs": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Take.ID}} of {{.Episode}} — preview</title></head>
<body>
<h1>{{.Episode}}: {{.Take.ID}}</h1>
<p>State: <strong>{{.Take.State}}</strong>{{if .Take.Live}} (live){{end}} · {{.Take.Origin}} · added {{.Take.Added.Format "2006-01-02 15:04 UTC"}}</p>
<p class="qa">QA: {{with .Take.QA}}{{.}}{{else}}not aligned yet{{end}}</p>
{{with .Take.Notes}}<h2>Notes</h2><ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<audio controls preload="metadata" src="{{.Audio}}"></audio>
<form method="post" action="/admin/episodes/{{.Slug}}/takes/{{.Take.ID}}/publish"><button>Publish this take</button></form>
{{with .Sentences}}<h2>Transcript as aligned</h2><ol>{{range .}}<li data-start="{{secs .Start}}">[{{secs .Start}} s] {{.Text}}{{if eq .Start .End}} <em>(not found)</em>{{end}}</li>{{end}}</ol>{{end}}
</body></html>
`))

// handlePublishTake publishes a take by name: a held take approved, or an
// earlier take brought back.
func (a *admin) handlePublishTake(w http.ResponseWriter, r *http.Request) {
	snap, e, ok := a.episode(w, r)
	if !ok {
		return
	}
	a.publishTake(w, r, snap, e, mux.Vars(r)["take"])
}

func (a *admin) publishTake(w http.ResponseWriter, r *http.Request, snap *catalog.Snapshot, e *catalog.Episode, id string) {
	job, err := a.pub.PublishTake(r.Context(), publish.Episode{Outline: e.Outline, TextSHA256: snap.Outline.SourceSHA, Language: snap.Show.Language}, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", adminPrefix+"/jobs/"+job.ID)
	adminJSON(w, http.StatusAccepted, job)
}

func (a *admin) handleJob(w http.ResponseWriter, r *http.Request) {
	job, err := a.pub.Job(mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	adminJSON(w, http.StatusOK, job)
}

// fail answers with the status an error's kind calls for, and logs only
// what is the server's fault.
func (a *admin) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := err.Error()
	switch {
	case errors.Is(err, publish.ErrTooLarge):
		status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("the upload is larger than the limit of %d bytes; nothing was kept", a.pub.MaxUpload())
	case errors.Is(err, publish.ErrInvalid):
		status, msg = http.StatusUnprocessableEntity, strings.TrimPrefix(msg, "publish: ")
	case errors.Is(err, publish.ErrBadSlug):
		status = http.StatusBadRequest
	case errors.Is(err, publish.ErrNoPrevious):
		status = http.StatusConflict
	case errors.Is(err, publish.ErrShowBroken):
		status = http.StatusConflict
	case errors.Is(err, publish.ErrUnknownJob), errors.Is(err, catalog.ErrNotFound), errors.Is(err, publish.ErrNoTake):
		status = http.StatusNotFound
	case errors.Is(err, publish.ErrBusy):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "60")
	case r.Context().Err() != nil:
		status, msg = http.StatusBadRequest, "the request was cancelled; nothing was kept"
	default:
		a.s.log.Error("admin", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error: " + a.pub.Public(err)
	}
	adminError(w, status, msg)
}

// bodyReader remembers how much of a request body was read and why
// reading stopped, to tell a client's broken upload from the server's own
// failure.
type bodyReader struct {
	r   io.Reader
	n   int64
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// adminJSON writes v as JSON, marshalled before anything is written.
func adminJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		adminError(w, http.StatusInternalServerError, "internal error: "+err.Error())
		return
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// adminError writes {"error": msg} with status.
func adminError(w http.ResponseWriter, status int, msg string) {
	adminJSON(w, status, map[string]string{"error": msg})
}
