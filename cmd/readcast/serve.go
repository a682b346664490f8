package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/web"
)

// serveConfig is everything serve reads from flags and the environment.
type serveConfig struct {
	addr, dir, baseURL string
	// watch is how often the episodes directory is polled for changes; 0
	// turns polling off (SIGHUP still reloads).
	watch time.Duration
}

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "serve")
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envOr(e, "READCAST_ADDR", "127.0.0.1:8080"), "listen on `host:port` (env READCAST_ADDR)")
	fs.StringVar(&cfg.dir, "dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory` (env READCAST_DIR)")
	fs.StringVar(&cfg.baseURL, "base-url", e.getenv("READCAST_BASE_URL"), "absolute `URL` the site is published under; default http://ADDR (env READCAST_BASE_URL)")
	fs.DurationVar(&cfg.watch, "watch", 2*time.Second, "poll the episodes directory this often and reload on a change; 0 disables")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
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
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	cache := catalog.NewCache()
	ccfg := catalog.Config{Dir: cfg.dir, BaseURL: cfg.baseURL, Generator: "readcast"}
	start := time.Now()
	snap, err := catalog.Load(ctx, ccfg, cache)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	for _, p := range snap.Problems {
		log.Warn("show problem", "err", p)
	}
	srv, err := web.New(snap, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("serving", "show", snap.Show.Title, "episodes", len(snap.Episodes),
		"url", strings.TrimRight(cfg.baseURL, "/")+"/", "feed", snap.BaseURL+catalog.FeedPath, "loaded_in", time.Since(start).Round(time.Millisecond))

	// Reloads come from SIGHUP and from changes under the directory; one at
	// a time, and a failed one keeps the last good show serving.
	reloads := make(chan string, 1)
	request := func(why string) {
		select {
		case reloads <- why:
		default: // one is already pending
		}
	}
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
				start := time.Now()
				next, err := catalog.Load(ctx, ccfg, cache)
				if err != nil {
					log.Error("reload failed; still serving the previous show", "reason", why, "err", err)
					continue
				}
				for _, p := range next.Problems {
					log.Warn("show problem", "err", p)
				}
				srv.Swap(next)
				log.Info("reloaded", "reason", why, "episodes", len(next.Episodes), "took", time.Since(start).Round(time.Millisecond))
			}
		}
	}()
	return srv.Serve(ctx, l)
}
