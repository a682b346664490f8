package main

import (
	"context"
	"log/slog"
)

// flushingHandler writes every record at WARN or above through the log
// buffer at once: the lines an operator needs after a crash or a SIGKILL
// (errors, warnings, the fatal line) are never left in it. The access log's
// INFO lines are batched as before.
type flushingHandler struct {
	slog.Handler
	flush func() error
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.flush}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.flush}
}
