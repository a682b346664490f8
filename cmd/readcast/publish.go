package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/readcast/readcast/internal/bucket"
)

func runPublish(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "publish")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory`")
	to := fs.String("to", "", "the bucket to publish to: s3://`BUCKET[/PREFIX]`")
	baseURL := fs.String("base-url", e.getenv("READCAST_BASE_URL"), "public `URL` the bucket's objects are served under (the bucket's website, or the CDN in front of it)")
	endpoint := fs.String("endpoint", "", "the store's `URL` for S3-compatible stores other than AWS (default AWS_ENDPOINT_URL, or AWS); buckets are then addressed by path")
	dryRun := fs.Bool("dry-run", false, "list what would be uploaded and deleted, change nothing")
	prune := fs.Duration("prune", 0, "delete content-addressed objects the published feed and pages no longer reference, once older than this `age` (e.g. 168h; default: keep everything)")
	cors := fs.Bool("cors", false, "apply the CORS rule web players need to the bucket (otherwise it is printed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || *baseURL == "" {
		return fmt.Errorf("publish: -to and -base-url are required (the feed's links are absolute)")
	}
	target, err := bucket.ParseTarget(*to)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if *prune < 0 {
		return fmt.Errorf("publish: -prune %s: the age must be positive", *prune)
	}
	client, err := bucket.New(ctx, bucket.Config{Endpoint: *endpoint})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}

	// Publish exactly what readcast export writes: export into a
	// temporary directory, upload from there, remove it.
	tmp, err := os.MkdirTemp("", "readcast-publish-")
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	defer os.RemoveAll(tmp)
	site := filepath.Join(tmp, "site")
	files, err := exportShow(ctx, e, *dir, *baseURL, site)
	if err != nil {
		return fail("publish", err)
	}

	opt := bucket.Options{DryRun: *dryRun, Prune: *prune, CORS: *cors, Progress: e.stderr, Pause: e.pauseHook(ctx)}
	rep, err := client.Publish(ctx, target, site, files, opt)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	fmt.Fprintln(e.stdout, rep)
	fmt.Fprintf(e.stdout, "feed: %s/feed.xml\n", strings.TrimRight(*baseURL, "/"))
	if !*cors {
		fmt.Fprintf(e.stderr, "CORS: web players on other sites need this rule on the bucket (apply it with -cors):\n%s\n", bucket.CORSRule)
	}
	return nil
}
