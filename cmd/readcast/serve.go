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
	// pauseStep is a test hook (READCAST_TEST_PUBLISH_PAUSE): a publish
	// stops before this step until the process ends, so that a test can
	// kill it there.
	pauseStep string
}

func runServe(ctx context.Context, e env, args []string) error {
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
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
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
	var err error
	if cfg.maxUpload, err = parseSize(*maxUpload); err != nil {
		return fmt.Errorf("serve: -max-upload: %w", err)
	}
	if cfg.trusted, err = web.ParseTrustedProxies(*trusted); err != nil {
		return fmt.Errorf("serve: -trusted-proxies: %w", err)
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return fmt.Errorf("serve: -log-format is text or json, not %q", cfg.logFormat)
	}
	if cfg.adminToken != "" && len(cfg.adminToken) < web.MinAdminToken {
		return fmt.Errorf("serve: the admin token must be at least %d characters (it has %d); make one with: openssl rand -hex 24", web.MinAdminToken, len(cfg.adminToken))
	}
	cfg.pauseStep = e.getenv("READCAST_TEST_PUBLISH_PAUSE")
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

// serve loads the show and serves it on l until ctx is done. SIGHUP
// reloads the show; a reload that fails keeps the last good one serving.
func serve(ctx context.Context, e env, cfg serveConfig, l net.Listener) error {
	logs := newLogBuffer(ctx, e.stderr)
	defer logs.Flush()
	var handler slog.Handler = slog.NewTextHandler(logs, nil)
	if cfg.logFormat == "json" {
		handler = slog.NewJSONHandler(logs, nil)
	}
	log := slog.New(flushingHandler{handler, logs.Flush})
	// fatal is why serve cannot start, as main prints it: the show's own
	// errors start with the file to fix and list its problems as every
	// command does (issue 17); one line when there is one problem.
	fatal := func(err error) error { return fail("serve", err) }
	if cfg.stateDir == "" {
		cfg.stateDir = filepath.Join(cfg.dir, ".readcast")
	}
	start := time.Now()
	// The store is opened before the show is read: it removes what a crash
	// in the middle of an upload or a publish left behind.
	var store *publish.Store
	if cfg.adminToken != "" {
		var removed []string
		var err error
		if store, removed, err = publish.Open(cfg.dir); err != nil {
			return fatal(err)
		}
		for _, p := range removed {
			log.Info("removed a leftover of an interrupted upload or publish", "path", p)
		}
	}
	cache := catalog.NewCache()
	background := newBackgroundAligner(cfg.dir, log)
	ccfg := catalog.Config{Dir: cfg.dir, BaseURL: cfg.baseURL, Generator: "readcast", Untimed: background.Enqueue, Untagged: background.EnqueueTags}
	good := newLastGood(cfg.stateDir)
	snap, broken := catalog.Load(ctx, ccfg, cache)
	if broken != nil {
		if !good.has() {
			return fatal(broken)
		}
		fcfg := ccfg
		fcfg.ShowDir = good.dir
		var err error
		if snap, err = catalog.Load(ctx, fcfg, cache); err != nil {
			return fatal(fmt.Errorf("%w; its last good copy does not load either: %w", broken, err))
		}
		log.Error("THE SHOW ON DISK IS BROKEN: serving the last good copy of it until a fixed show loads (readcast validate lists the problems; /readyz is 503 meanwhile)",
			"err", strings.ReplaceAll(broken.Error(), "\n", "; "), "last_good", good.dir)
	} else if err := os.MkdirAll(cfg.stateDir, 0o700); err != nil {
		return fatal(fmt.Errorf("the state directory: %w", err))
	} else if err := good.save(cfg.dir, snap); err != nil {
		log.Warn("cannot keep a copy of the show for a restart after a broken edit", "dir", good.dir, "err", err)
	}
	for _, p := range snap.Problems {
		log.Warn("show problem", "err", p)
	}
	srv, err := web.New(snap, log)
	if err != nil {
		return fatal(err)
	}
	if broken != nil {
		srv.ServingFallback(broken.Error())
		srv.Metrics().ReloadFailed()
	}
	srv.SetTrustedProxies(cfg.trusted)
	if cfg.grace > 0 {
		srv.SetShutdownGrace(cfg.grace)
	}
	saveDownloads := keepDownloads(ctx, srv.Metrics(), filepath.Join(cfg.stateDir, "downloads"), log)
	srv.SetLimits(cfg.limits)
	reloads := make(chan string, 1)
	request := func(why string) {
		select {
		case reloads <- why:
		default: // one is already pending
		}
	}
	srv.SetReload(request)

	// reload rebuilds the show and serves it; one at a time, and a failed
	// one keeps the last good show serving. The watcher and SIGHUP ask for
	// it through the reloads channel; a publish calls it directly.
	var reloadMu sync.Mutex
	reload := func(ctx context.Context, why string) (*catalog.Snapshot, error) {
		reloadMu.Lock()
		defer reloadMu.Unlock()
		start := time.Now()
		next, err := catalog.Load(ctx, ccfg, cache)
		if err != nil {
			srv.ReloadFailed(err)
			log.Error("reload failed; still serving the previous show", "reason", why, "err", strings.ReplaceAll(err.Error(), "\n", "; "))
			return nil, err
		}
		for _, p := range next.Problems {
			log.Warn("show problem", "err", p)
		}
		srv.Swap(next)
		if err := good.save(cfg.dir, next); err != nil {
			log.Warn("cannot keep a copy of the show for a restart after a broken edit", "dir", good.dir, "err", err)
		}
		log.Info("reloaded", "reason", why, "episodes", len(next.Episodes), "took", time.Since(start).Round(time.Millisecond))
		return next, nil
	}

	background.reload = func(ctx context.Context, why string) { reload(ctx, why) }
	background.ended = func(err error) {
		if err != nil {
			srv.Metrics().Alignment(metrics.ResultError)
		} else {
			srv.Metrics().Alignment(metrics.ResultOK)
		}
	}
	go background.Run(ctx)

	if store != nil {
		pub, err := publish.New(publish.Config{
			Store: store, Aligner: aligner(), Reload: reload, MaxUpload: cfg.maxUpload, Log: log, KeepTakes: cfg.keepTakes,
			Verify: func(ctx context.Context) error {
				_, err := catalog.Load(ctx, catalog.Config{Dir: cfg.dir, BaseURL: cfg.baseURL, Generator: "readcast"}, cache)
				return err
			},
			Pause: pauseHook(ctx, log, cfg.pauseStep),
			Ended: func(j publish.Job) {
				var err error
				if j.State == publish.JobFailed {
					err = errors.New(j.Error)
				}
				srv.PublishEnded(j.Episode, err)
			},
		})
		if err != nil {
			return fatal(err)
		}
		if err := srv.EnableAdmin(cfg.adminToken, pub); err != nil {
			return fatal(err)
		}
		go pub.Run(ctx)
		if _, err := exec.LookPath("espeak-ng"); err != nil {
			log.Warn("espeak-ng is not installed: uploads whose timings are not already known cannot be aligned (apt-get install espeak-ng)")
		}
		log.Info("admin API enabled", "path", "/admin", "max_upload", cfg.maxUpload)
	}
	log.Info("serving", "show", snap.Show.Title, "episodes", len(snap.Episodes),
		"url", strings.TrimRight(cfg.baseURL, "/")+"/", "feed", snap.BaseURL+catalog.FeedPath, "loaded_in", time.Since(start).Round(time.Millisecond))

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				request("SIGHUP")
			}
		}
	}()
	if cfg.watch > 0 {
		go catalog.Watch(ctx, cfg.dir, cfg.watch, func() { request("a change under " + cfg.dir) })
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case why := <-reloads:
				reload(ctx, why)
			}
		}
	}()
	err = srv.Serve(ctx, l)
	saveDownloads()
	return err
}

// aligner aligns uploads with internal/align (an espeak-ng reference,
// MFCC and DTW); what its report finds a narrator may want to fix becomes
// the job's notes.
func aligner() publish.Aligner {
	return publish.AlignerFunc(func(ctx context.Context, path string, ep publish.Episode, progress func(publish.Progress)) (*publish.Alignment, error) {
		res, err := align.AlignFile(ctx, path, align.Episode(ep.Outline), align.Options{
			TextSHA256: ep.TextSHA256,
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

// pauseHook returns the test hook that stops a publish before step until
// ctx is done, or nil when step is empty.
func pauseHook(ctx context.Context, log *slog.Logger, step string) func(string) {
	if step == "" {
		return nil
	}
	return func(s string) {
		if s != step {
			return
		}
		log.Warn("publish paused by READCAST_TEST_PUBLISH_PAUSE", "step", s)
		<-ctx.Done()
	}
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
