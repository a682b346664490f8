package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/readcast/readcast/internal/align"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/metrics"
	"github.com/readcast/readcast/internal/publish"
	"github.com/readcast/readcast/internal/web"
)

// serveConfig is everything serve reads from flags and the environment.
type serveConfig struct {
	addr, dir, baseURL string
	// watch is how often the episodes directory is polled for changes; 0
	// turns polling off (SIGHUP still reloads).
	watch time.Duration
	// adminToken enables the admin API under /admin; empty leaves it off.
	adminToken string
	// maxUpload is the largest recording the admin API accepts, in bytes.
	maxUpload int64
	// keepTakes, when positive, prunes an episode's takes to the newest
	// keepTakes after each publish; 0 keeps every take.
	keepTakes int
	// stateDir keeps what serve needs across restarts: the last good copy
	// of the show's files and the day's download listeners.
	stateDir string
	// trusted are the proxies whose forwarding headers name the client.
	trusted []netip.Prefix
	// logFormat is "text" or "json".
	logFormat string
	// grace is how long a shutdown lets downloads in flight finish.
	grace time.Duration
	// limits bound every connection (web.Limits).
	limits web.Limits
}

func runServe(ctx context.Context, e env, args []string) error {
	cfg, err := parseServeFlags(e, args)
	if err != nil {
		return err
	}
	softMemoryLimit(e, serveMemoryLimit)
	serveGC(e)
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer l.Close()
	if cfg.baseURL == "" {
		cfg.baseURL = "http://" + l.Addr().String()
	}
	return serve(ctx, e, cfg, l)
}

// parseServeFlags reads serve's flags and their environment variables,
// and checks them.
func parseServeFlags(e env, args []string) (serveConfig, error) {
	fs := newFlags(e, "serve")
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envOr(e, "READCAST_ADDR", "127.0.0.1:8080"), "listen on `host:port` (env READCAST_ADDR)")
	fs.StringVar(&cfg.dir, "dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory` (env READCAST_DIR)")
	fs.StringVar(&cfg.baseURL, "base-url", e.getenv("READCAST_BASE_URL"), "absolute `URL` the site is published under; default http://ADDR (env READCAST_BASE_URL)")
	fs.DurationVar(&cfg.watch, "watch", 2*time.Second, "poll the episodes directory this often and reload on a change; 0 disables")
	fs.StringVar(&cfg.adminToken, "admin-token", e.getenv("READCAST_ADMIN_TOKEN"), "enable the admin API under /admin for requests with this bearer `token` (at least 16 characters; prefer the env READCAST_ADMIN_TOKEN, which ps does not show)")
	fs.IntVar(&cfg.keepTakes, "keep-takes", 0, "after each publish, keep only this `many` takes of the episode (never the live one nor the one restore brings back); 0 keeps every take until pruned through the admin API")
	fs.StringVar(&cfg.stateDir, "state-dir", e.getenv("READCAST_STATE_DIR"), "keep the last good copy of the show and the day's download counts in this `directory`; default DIR/.readcast (env READCAST_STATE_DIR)")
	trusted := fs.String("trusted-proxies", e.getenv("READCAST_TRUSTED_PROXIES"), "comma-separated `CIDRs` of proxies whose X-Forwarded-For or Forwarded header names the client, for download counting; default none (env READCAST_TRUSTED_PROXIES)")
	fs.DurationVar(&cfg.grace, "shutdown-grace", web.DefaultShutdownGrace, "on SIGTERM or SIGINT, let requests in flight (downloads) finish for this `duration`, then cut the rest")
	fs.StringVar(&cfg.logFormat, "log-format", envOr(e, "READCAST_LOG_FORMAT", "text"), "log `format`: text or json (env READCAST_LOG_FORMAT)")
	maxUpload := fs.String("max-upload", envOr(e, "READCAST_MAX_UPLOAD", "256MB"), "largest recording the admin API accepts: a `size` in bytes, or with KB, MB or GB (env READCAST_MAX_UPLOAD)")
	cfg.limits = web.DefaultLimits()
	lim := &cfg.limits
	fs.DurationVar(&lim.ReadHeader, "header-timeout", lim.ReadHeader, "drop a client that has not sent a request's header this long after its first byte")
	fs.DurationVar(&lim.BodyStall, "body-stall", lim.BodyStall, "drop a client whose upload sends nothing for this long")
	fs.DurationVar(&lim.WriteStall, "write-stall", lim.WriteStall, "drop a client that accepts none of an answer for this long (a slow, steady listener gets every byte)")
	fs.DurationVar(&lim.Idle, "idle-timeout", lim.Idle, "close a kept-alive connection that sends no request for this long")
	fs.IntVar(&lim.MaxHeaderBytes, "max-header-bytes", lim.MaxHeaderBytes, "largest request header accepted, in bytes")
	fs.IntVar(&lim.MaxConns, "max-conns", lim.MaxConns, "most connections open at once; further clients wait in the listen queue (logged when reached); 0 for no cap")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := checkLimits(cfg.limits); err != nil {
		return cfg, err
	}
	var err error
	if cfg.maxUpload, err = parseSize(*maxUpload); err != nil {
		return cfg, fmt.Errorf("serve: -max-upload: %w", err)
	}
	if cfg.trusted, err = web.ParseTrustedProxies(*trusted); err != nil {
		return cfg, fmt.Errorf("serve: -trusted-proxies: %w", err)
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return cfg, fmt.Errorf("serve: -log-format is text or json, not %q", cfg.logFormat)
	}
	if cfg.adminToken != "" && len(cfg.adminToken) < web.MinAdminToken {
		return cfg, fmt.Errorf("serve: the admin token must be at least %d characters (it has %d); make one with: openssl rand -hex 24", web.MinAdminToken, len(cfg.adminToken))
	}
	return cfg, nil
}

// checkLimits says which connection limit given on the command line cannot
// work.
func checkLimits(lim web.Limits) error {
	for name, d := range map[string]time.Duration{"header-timeout": lim.ReadHeader, "body-stall": lim.BodyStall, "write-stall": lim.WriteStall, "idle-timeout": lim.Idle} {
		if d <= 0 {
			return fmt.Errorf("serve: -%s must be a positive duration like 30s, got %v", name, d)
		}
	}
	if lim.MaxHeaderBytes < 4<<10 {
		return fmt.Errorf("serve: -max-header-bytes must be at least 4096 (podcast apps send long cookies and user agents), got %d", lim.MaxHeaderBytes)
	}
	if lim.MaxConns < 0 {
		return fmt.Errorf("serve: -max-conns must be 0 (no cap) or more, got %d", lim.MaxConns)
	}
	return nil
}

// serve loads the show and serves it on l until ctx is done. SIGHUP
// reloads the show; a reload that fails keeps the last good one serving.
func serve(ctx context.Context, e env, cfg serveConfig, l net.Listener) error {
	s := newServer(e, cfg)
	defer s.Close()
	if err := s.Open(ctx); err != nil {
		// The show's own errors start with the file to fix and list its
		// problems as every command does (issue 17).
		return fail("serve", err)
	}
	return s.Serve(ctx, l)
}

// server is readcast serve: the show loaded and served, reloaded when it
// changes, with the admin API when it has a token. Open starts it, step by
// step; Serve serves it; Close stops what Open started.
type server struct {
	cfg    serveConfig
	env    env
	ctx    context.Context // of what Open starts; Close cancels it
	cancel context.CancelFunc
	logs   *logBuffer
	log    *slog.Logger
	start  time.Time

	show       catalog.Config // how the show is loaded
	cache      *catalog.Cache
	good       lastGood
	store      *publish.Store // nil without the admin API
	pub        *publish.Publisher
	background *backgroundAligner
	// workers are the background aligner and the publisher: Close waits
	// for them, so that serve returns with nothing still writing in the
	// show's directory.
	workers sync.WaitGroup
	web     *web.Server
	// saveDownloads saves the day's download listeners for a restart.
	saveDownloads func()
	hup           chan os.Signal
	// reloads are the reloads asked for and not started, at most one:
	// another request meanwhile is the same reload.
	reloads  chan string
	reloadMu sync.Mutex // one reload at a time
	// loadedFrom is the show directory's catalog.Fingerprint taken before
	// the first load: the watcher starts from it, so an edit made while the
	// show loaded is reloaded, not missed.
	loadedFrom string
}

func newServer(e env, cfg serveConfig) *server {
	if cfg.stateDir == "" {
		cfg.stateDir = filepath.Join(cfg.dir, ".readcast")
	}
	return &server{cfg: cfg, env: e, good: newLastGood(cfg.stateDir), reloads: make(chan string, 1)}
}

// Open loads the show and starts what keeps it served and up to date: the
// background aligner, the publisher of the admin API, the reloads on
// SIGHUP and on changes under the show's directory.
func (s *server) Open(ctx context.Context) error {
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.start = time.Now()
	s.openLog()
	// The store is opened before the show is read: it removes what a crash
	// in the middle of an upload or a publish left behind.
	if err := s.openStore(); err != nil {
		return err
	}
	s.cache = catalog.NewCache()
	s.background = newBackgroundAligner(s.cfg.dir, s.log)
	s.show = catalog.Config{Dir: s.cfg.dir, BaseURL: s.cfg.baseURL, Generator: "readcast", Untimed: s.background.Enqueue, Untagged: s.background.EnqueueTags}
	s.loadedFrom, _ = catalog.Fingerprint(s.cfg.dir) // unreadable: the first poll sees a change
	snap, broken, err := s.loadShow()
	if err != nil {
		return err
	}
	if err := s.openWeb(snap, broken); err != nil {
		return err
	}
	s.startWorkers()
	s.watchForChanges()
	return nil
}

// Serve serves the show on l until ctx is done, then shuts down gracefully.
func (s *server) Serve(ctx context.Context, l net.Listener) error {
	snap := s.web.Snapshot()
	s.log.Info("serving", "show", snap.Show.Title, "episodes", len(snap.Episodes),
		"url", strings.TrimRight(s.cfg.baseURL, "/")+"/", "feed", snap.BaseURL+catalog.FeedPath, "loaded_in", time.Since(s.start).Round(time.Millisecond))
	return s.web.Serve(ctx, l)
}

// Close stops what Open started, saves the day's download listeners and
// writes out the log. It is safe after an Open that failed half way.
func (s *server) Close() error {
	if s.hup != nil {
		signal.Stop(s.hup)
	}
	if s.cancel != nil {
		s.cancel()
	}
	// An alignment stops at its next check of the context; a copy with
	// ID3 chapters or a publish step in progress is finished first (each
	// is written whole or not at all).
	s.workers.Wait()
	if s.saveDownloads != nil {
		s.saveDownloads()
	}
	if s.logs == nil {
		return nil
	}
	return s.logs.Flush()
}

// openLog makes the server's logger: text or JSON, batched (logBuffer),
// and written out at once for warnings and errors (flushingHandler).
func (s *server) openLog() {
	s.logs = newLogBuffer(s.ctx, s.env.stderr)
	var h slog.Handler = slog.NewTextHandler(s.logs, nil)
	if s.cfg.logFormat == "json" {
		h = slog.NewJSONHandler(s.logs, nil)
	}
	s.log = slog.New(flushingHandler{h, s.logs.Flush})
}

// openStore opens the store of takes the admin API publishes from, when
// it is on.
func (s *server) openStore() error {
	if s.cfg.adminToken == "" {
		return nil
	}
	store, removed, err := publish.Open(s.cfg.dir)
	if err != nil {
		return err
	}
	for _, p := range removed {
		s.log.Info("removed a leftover of an interrupted upload or publish", "path", p)
	}
	s.store = store
	return nil
}

// loadShow loads the show; when the show on disk is broken (broken says
// why) it loads the last good copy of it instead, if one was kept.
func (s *server) loadShow() (snap *catalog.Snapshot, broken, err error) {
	snap, broken = catalog.Load(s.ctx, s.show, s.cache)
	switch {
	case broken != nil && !s.good.has():
		return nil, nil, broken
	case broken != nil:
		fallback := s.show
		fallback.ShowDir = s.good.dir
		if snap, err = catalog.Load(s.ctx, fallback, s.cache); err != nil {
			return nil, nil, fmt.Errorf("%w; its last good copy does not load either: %w", broken, err)
		}
		s.log.Error("THE SHOW ON DISK IS BROKEN: serving the last good copy of it until a fixed show loads (readcast validate lists the problems; /readyz is 503 meanwhile)",
			"err", strings.ReplaceAll(broken.Error(), "\n", "; "), "last_good", s.good.dir)
	default:
		if err := os.MkdirAll(s.cfg.stateDir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("the state directory: %w", err)
		}
		s.keepGood(snap, s.loadedFrom)
	}
	s.logProblems(snap)
	return snap, broken, nil
}

// keepGood keeps a copy of a show that loaded, for a restart after a
// broken edit; since is the show directory's catalog.Fingerprint taken
// before the load began (lastGood.save).
func (s *server) keepGood(snap *catalog.Snapshot, since string) {
	err := s.good.save(s.cfg.dir, snap, since)
	switch {
	case errors.Is(err, errChangedSinceLoad):
		s.log.Info("the show changed while it loaded: its copy for a restart after a broken edit is kept at the next reload", "dir", s.good.dir)
	case err != nil:
		s.log.Warn("cannot keep a copy of the show for a restart after a broken edit", "dir", s.good.dir, "err", err)
	}
}

func (s *server) logProblems(snap *catalog.Snapshot) {
	for _, p := range snap.Problems {
		s.log.Warn("show problem", "err", p)
	}
}

// openWeb makes the web server of snap, with the admin API when there is
// a token, and takes up the day's download listeners a previous process
// saved. broken, when set, is why snap is the last good copy.
func (s *server) openWeb(snap *catalog.Snapshot, broken error) error {
	if s.store != nil {
		var err error
		if s.pub, err = s.newPublisher(); err != nil {
			return err
		}
	}
	srv, err := web.New(web.Config{
		Snapshot: snap, Log: s.log, Limits: s.cfg.limits, ShutdownGrace: s.cfg.grace,
		TrustedProxies: s.cfg.trusted, Reload: s.requestReload,
		AdminToken: s.cfg.adminToken, Publisher: s.pub,
	})
	if err != nil {
		return err
	}
	s.web = srv
	if broken != nil {
		srv.ServingFallback(broken.Error())
		srv.Metrics().ReloadFailed()
	}
	s.saveDownloads = keepDownloads(s.ctx, srv.Metrics(), filepath.Join(s.cfg.stateDir, "downloads"), s.log)
	return nil
}

// newPublisher makes the admin API's publisher: it aligns an upload,
// checks that the show still loads with it, swaps it in and reloads.
func (s *server) newPublisher() (*publish.Publisher, error) {
	verify := catalog.Config{Dir: s.cfg.dir, BaseURL: s.cfg.baseURL, Generator: "readcast"}
	return publish.New(publish.Config{
		Store: s.store, Aligner: aligner(), Reload: s.reload, MaxUpload: s.cfg.maxUpload, Log: s.log, KeepTakes: s.cfg.keepTakes,
		Verify: func(ctx context.Context) error {
			_, err := catalog.Load(ctx, verify, s.cache)
			return err
		},
		Pause: s.env.pauseHook(s.ctx),
		Ended: func(j publish.Job) {
			var err error
			if j.State == publish.JobFailed {
				err = errors.New(j.Error)
			}
			s.web.PublishEnded(j.Episode, err)
		},
	})
}

// startWorkers starts the background aligner and the publisher.
func (s *server) startWorkers() {
	s.background.reload = func(ctx context.Context, why string) { s.reload(ctx, why) }
	s.background.ended = func(err error) {
		if err != nil {
			s.web.Metrics().Alignment(metrics.ResultError)
		} else {
			s.web.Metrics().Alignment(metrics.ResultOK)
		}
	}
	s.workers.Go(func() { s.background.Run(s.ctx) })
	if s.pub == nil {
		return
	}
	s.workers.Go(func() { s.pub.Run(s.ctx) })
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		s.log.Warn("espeak-ng is not installed: uploads whose timings are not already known cannot be aligned (apt-get install espeak-ng)")
	}
	s.log.Info("admin API enabled", "path", "/admin", "max_upload", s.cfg.maxUpload)
}

// watchForChanges reloads the show on SIGHUP, when a file under the
// show's directory changes (-watch) and when the web server finds a file
// of the show changed (requestReload).
func (s *server) watchForChanges() {
	s.hup = make(chan os.Signal, 1)
	signal.Notify(s.hup, syscall.SIGHUP)
	if s.cfg.watch > 0 {
		go catalog.Watch(s.ctx, s.cfg.dir, s.loadedFrom, s.cfg.watch, func() { s.requestReload("a change under " + s.cfg.dir) })
	}
	go func() {
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-s.hup:
				s.reload(s.ctx, "SIGHUP")
			case why := <-s.reloads:
				s.reload(s.ctx, why)
			}
		}
	}()
}

// requestReload asks for a reload, unless one is already pending.
func (s *server) requestReload(why string) {
	select {
	case s.reloads <- why:
	default:
	}
}

// reload rebuilds the show and serves it, one at a time; a failed one
// keeps the last good show serving. The watcher and SIGHUP ask for it
// through requestReload; a publish calls it directly.
func (s *server) reload(ctx context.Context, why string) (*catalog.Snapshot, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	start := time.Now()
	since, _ := catalog.Fingerprint(s.cfg.dir) // unreadable: nothing is kept
	next, err := catalog.Load(ctx, s.show, s.cache)
	if err == nil {
		s.logProblems(next)
		err = s.web.Swap(next)
	}
	if err != nil {
		s.web.ReloadFailed(err)
		s.log.Error("reload failed; still serving the previous show", "reason", why, "err", strings.ReplaceAll(err.Error(), "\n", "; "))
		return nil, err
	}
	s.keepGood(next, since)
	s.log.Info("reloaded", "reason", why, "episodes", len(next.Episodes), "took", time.Since(start).Round(time.Millisecond))
	return next, nil
}

// aligner aligns uploads with internal/align (its acoustic model, with
// espeak-ng guessing the words its dictionary lacks); what its report
// finds a narrator may want to fix becomes the job's notes.
func aligner() publish.Aligner {
	return publish.AlignerFunc(func(ctx context.Context, path string, ep publish.Episode, progress func(publish.Progress)) (*publish.Alignment, error) {
		res, err := align.AlignFile(ctx, path, align.Episode(ep.Outline), align.Options{
			TextSHA256: ep.TextSHA256,
			Language:   ep.Language,
			Progress: func(p align.Progress) {
				progress(publish.Progress{Stage: string(p.Stage), Done: p.Done, Total: p.Total})
			},
		})
		if err != nil {
			return nil, err
		}
		a := &publish.Alignment{Map: res.Map}
		for _, is := range res.Report.Issues {
			a.Notes = append(a.Notes, is.Message)
		}
		return a, nil
	})
}

// parseSize reads a byte count: "1048576", "64KB", "256MB", "1GB" (powers
// of 1024).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("want a positive size like 256MB, got " + strconv.Quote(s))
	}
	return n * mult, nil
}
