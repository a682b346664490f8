package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/export"
	"github.com/readcast/readcast/internal/web"
)

func runExport(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "export")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory`")
	out := fs.String("out", "", "write the site into this `directory` (replaced as a whole when the export succeeds)")
	baseURL := fs.String("base-url", e.getenv("READCAST_BASE_URL"), "absolute `URL` the files will be served under, e.g. https://cdn.example.org/show")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *baseURL == "" {
		return fmt.Errorf("export: -out and -base-url are required (the feed's links are absolute)")
	}
	files, err := exportShow(ctx, e, *dir, *baseURL, *out)
	if err != nil {
		return err
	}
	var total int64
	for _, f := range files {
		total += f.Size
	}
	fmt.Fprintf(e.stdout, "exported %d files (%.1f MB) to %s for %s\n", len(files), float64(total)/1e6, *out, strings.TrimRight(*baseURL, "/")+"/")
	return nil
}

// exportShow writes the show in dir as the static site at baseURL into out:
// what export writes and publish uploads.
func exportShow(ctx context.Context, e env, dir, baseURL, out string) ([]export.File, error) {
	snap, err := catalog.Load(ctx, catalog.Config{Dir: dir, BaseURL: baseURL, Generator: "readcast"}, nil)
	if err != nil {
		return nil, fail("export", err)
	}
	for _, p := range snap.Problems {
		fmt.Fprintln(e.stderr, "warning:", p)
	}
	srv, err := web.New(web.Config{Snapshot: snap})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return export.Export(ctx, srv.Handler(), baseURL, out)
}
