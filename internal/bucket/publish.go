package bucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/readcast/readcast/internal/export"
)

// Options of a publish.
type Options struct {
	// DryRun reads the bucket and reports what a publish would upload and
	// delete, and changes nothing.
	DryRun bool
	// Prune deletes content-addressed objects that the published feed and
	// pages no longer reference and that are older than this; 0 keeps
	// everything. Listeners half way through last week's recording are why
	// there is an age at all.
	Prune time.Duration
	// CORS applies CORSRule to the bucket.
	CORS bool
	// Parallel is how many uploads run at once (default 4).
	Parallel int
	// Progress receives a line per object and per step; nil discards them.
	Progress io.Writer
	// Pause, when set, is called before each step ("content",
	// "content-partial" after the first content-addressed upload, "pages",
	// "feed", "prune"): the crash tests stop the process there.
	Pause func(step string)
}

// CORSRule is the bucket CORS configuration web players on other sites
// need to read the feed, transcripts and chapters (docs/cdn.md).
const CORSRule = `[{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"],
  "AllowedHeaders": ["Range", "If-None-Match", "If-Range", "If-Modified-Since"],
  "ExposeHeaders": ["Content-Length", "Content-Range", "Accept-Ranges", "ETag"], "MaxAgeSeconds": 86400}]`

// Report is what a publish did.
type Report struct {
	Target        Target
	Uploaded      []string // keys, in upload order within each step
	UploadedBytes int64
	Skipped       int // content-addressed objects already in the bucket
	SkippedBytes  int64
	Pruned        []string
	Requests      int64 // HTTP requests, retries included
	BytesSent     int64
	Elapsed       time.Duration
	DryRun        bool
}

func (r *Report) String() string {
	verb := "published"
	if r.DryRun {
		verb = "dry run: would publish"
	}
	return fmt.Sprintf("%s %d objects to %s: uploaded %d (%s), skipped %d already in the bucket (%s), pruned %d; %d requests, %s sent in %.1fs",
		verb, len(r.Uploaded)+r.Skipped, r.Target, len(r.Uploaded), mb(r.UploadedBytes), r.Skipped, mb(r.SkippedBytes),
		len(r.Pruned), r.Requests, mb(r.BytesSent), r.Elapsed.Seconds())
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// listed is an object already in the bucket.
type listed struct {
	size     int64
	modified time.Time
}

// Publish uploads the export in site (files as export.Export returned
// them) to t. Content-addressed files (Cache-Control immutable) go first
// and only when the bucket lacks them (same key and size); then pages, then
// the feed; then, with Options.Prune, old unreferenced objects are deleted.
// The bucket is listed before anything is written, so wrong credentials, a
// missing bucket or an unreachable store fail before any change.
func (c *Client) Publish(ctx context.Context, t Target, site string, files []export.File, opt Options) (*Report, error) {
	start := time.Now()
	req0, sent0 := c.Requests(), c.BytesSent()
	p := newPublishing(c, t, site, opt)
	rep := p.rep
	defer func() {
		rep.Requests, rep.BytesSent = c.Requests()-req0, c.BytesSent()-sent0
		rep.Elapsed = time.Since(start)
	}()
	content, pages, feeds, err := sortFiles(files)
	if err != nil {
		return rep, err
	}
	existing, err := c.list(ctx, t)
	if err != nil {
		return rep, fmt.Errorf("listing %s: %w", t, err)
	}
	// 1. Content-addressed objects: new names only.
	if err := p.uploadContent(ctx, content, existing); err != nil {
		return rep, err
	}
	// 2. Pages, which link to the objects above; 3. the feed, last.
	fmt.Fprintf(p.progress, "pages: %d\n", len(pages))
	p.pause("pages")
	if err := each(ctx, pages, p.opt.Parallel, p.upload); err != nil {
		return rep, err
	}
	p.pause("feed")
	if err := each(ctx, feeds, 1, p.upload); err != nil {
		return rep, err
	}
	if opt.CORS && !opt.DryRun {
		if err := c.putCORS(ctx, t); err != nil {
			return rep, err
		}
		fmt.Fprintf(p.progress, "applied the CORS rule to bucket %s\n", t.Bucket)
	}
	if opt.Prune > 0 {
		p.pause("prune")
		keep := map[string]bool{}
		for _, f := range files {
			keep[t.key(f.File)] = true
		}
		if err := c.prune(ctx, t, existing, keep, time.Now().Add(-opt.Prune), opt.DryRun, rep, p.progress); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// sortFiles parts the export by when its files go up: content-addressed
// objects (Cache-Control immutable), pages, and the feed.
func sortFiles(files []export.File) (content, pages, feeds []export.File, err error) {
	for _, f := range files {
		switch {
		case f.ContentType == "":
			return nil, nil, nil, fmt.Errorf("bucket: %s has no Content-Type", f.Path)
		case strings.Contains(f.CacheControl, "immutable"):
			content = append(content, f)
		case strings.HasPrefix(f.ContentType, "application/rss+xml"):
			feeds = append(feeds, f)
		default:
			pages = append(pages, f)
		}
	}
	if len(feeds) == 0 {
		return nil, nil, nil, errors.New("bucket: the export has no feed: nothing to publish")
	}
	return content, pages, feeds, nil
}

// publishing is one Publish under way: where it goes, and its report.
type publishing struct {
	c        *Client
	t        Target
	site     string
	opt      Options
	progress io.Writer
	mu       sync.Mutex // guards rep during parallel uploads
	rep      *Report
}

func newPublishing(c *Client, t Target, site string, opt Options) *publishing {
	p := &publishing{c: c, t: t, site: site, opt: opt, progress: opt.Progress, rep: &Report{Target: t, DryRun: opt.DryRun}}
	if p.progress == nil {
		p.progress = io.Discard
	}
	if p.opt.Parallel <= 0 {
		p.opt.Parallel = 4
	}
	return p
}

func (p *publishing) pause(step string) {
	if p.opt.Pause != nil {
		p.opt.Pause(step)
	}
}

// upload puts one file (or, in a dry run, only reports it).
func (p *publishing) upload(ctx context.Context, f export.File) error {
	key := p.t.key(f.File)
	if !p.opt.DryRun {
		if err := p.c.put(ctx, p.t, key, filepath.Join(p.site, filepath.FromSlash(f.File)), f); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.rep.Uploaded = append(p.rep.Uploaded, key)
	p.rep.UploadedBytes += f.Size
	p.mu.Unlock()
	fmt.Fprintf(p.progress, "%s %s (%s)\n", map[bool]string{false: "uploaded", true: "would upload"}[p.opt.DryRun], key, mb(f.Size))
	return nil
}

// uploadContent uploads the content-addressed files the bucket lacks (a
// key of the same size counts as there).
func (p *publishing) uploadContent(ctx context.Context, content []export.File, existing map[string]listed) error {
	var todo []export.File
	for _, f := range content {
		if o, ok := existing[p.t.key(f.File)]; ok && o.size == f.Size {
			p.rep.Skipped++
			p.rep.SkippedBytes += f.Size
			continue
		}
		todo = append(todo, f)
	}
	fmt.Fprintf(p.progress, "content-addressed: %d to upload, %d already in the bucket (%s)\n", len(todo), p.rep.Skipped, mb(p.rep.SkippedBytes))
	p.pause("content")
	var first sync.Once
	return each(ctx, todo, p.opt.Parallel, func(ctx context.Context, f export.File) error {
		if err := p.upload(ctx, f); err != nil {
			return err
		}
		first.Do(func() { p.pause("content-partial") })
		return nil
	})
}

// list returns the objects under t's prefix by key.
func (c *Client) list(ctx context.Context, t Target) (map[string]listed, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(t.Bucket)}
	if t.Prefix != "" {
		in.Prefix = aws.String(t.Prefix + "/")
	}
	out := map[string]listed{}
	pages := s3.NewListObjectsV2Paginator(c.s3, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, c.explain(t, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = listed{size: aws.ToInt64(o.Size), modified: aws.ToTime(o.LastModified)}
		}
	}
	return out, nil
}

// put streams one file to key: the body is read from disk as it is sent
// (and once before, to sign it), never held in memory.
func (c *Client) put(ctx context.Context, t Target, key, name string, f export.File) error {
	r, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("uploading %s: %w", key, err)
	}
	defer r.Close()
	in := &s3.PutObjectInput{
		Bucket:        aws.String(t.Bucket),
		Key:           aws.String(key),
		Body:          r,
		ContentLength: aws.Int64(f.Size),
		ContentType:   aws.String(f.ContentType),
	}
	if f.CacheControl != "" {
		in.CacheControl = aws.String(f.CacheControl)
	}
	if _, err := c.s3.PutObject(ctx, in); err != nil {
		return fmt.Errorf("uploading %s: %w", key, c.explain(t, err))
	}
	return nil
}

// prune deletes objects listed before the publish that the published site
// does not reference, that are older than cutoff, and that readcast
// uploaded as content-addressed (their Cache-Control says immutable): pages,
// the feed and anything else in the bucket are never touched.
func (c *Client) prune(ctx context.Context, t Target, existing map[string]listed, keep map[string]bool, cutoff time.Time, dryRun bool, rep *Report, progress io.Writer) error {
	var keys []string
	for k, o := range existing {
		if !keep[k] && o.modified.Before(cutoff) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		head, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(k)})
		if err != nil {
			return fmt.Errorf("pruning: reading %s: %w", k, c.explain(t, err))
		}
		if !strings.Contains(aws.ToString(head.CacheControl), "immutable") {
			continue
		}
		if !dryRun {
			if _, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(k)}); err != nil {
				return fmt.Errorf("pruning: deleting %s: %w", k, c.explain(t, err))
			}
		}
		rep.Pruned = append(rep.Pruned, k)
		fmt.Fprintf(progress, "%s %s (unreferenced since %s)\n", map[bool]string{false: "deleted", true: "would delete"}[dryRun], k, existing[k].modified.UTC().Format(time.RFC3339))
	}
	return nil
}

// each runs fn on every file, n at a time; the first error stops the rest.
func each(ctx context.Context, files []export.File, n int, fn func(context.Context, export.File) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan export.File)
	var wg sync.WaitGroup
	for range min(n, len(files)) {
		wg.Go(func() {
			for f := range work {
				if ctx.Err() != nil {
					continue // drain: an upload failed, start no more
				}
				if err := fn(ctx, f); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, f := range files {
		// select picks at random among ready cases: check first, so no
		// more work is handed out once an upload failed.
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// putCORS applies CORSRule to the bucket.
func (c *Client) putCORS(ctx context.Context, t Target) error {
	var rules []struct {
		AllowedOrigins, AllowedMethods, AllowedHeaders, ExposeHeaders []string
		MaxAgeSeconds                                                 int32
	}
	if err := json.Unmarshal([]byte(CORSRule), &rules); err != nil {
		panic(err) // CORSRule is a constant
	}
	var cfg types.CORSConfiguration
	for _, r := range rules {
		cfg.CORSRules = append(cfg.CORSRules, types.CORSRule{
			AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders, MaxAgeSeconds: aws.Int32(r.MaxAgeSeconds),
		})
	}
	if _, err := c.s3.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(t.Bucket), CORSConfiguration: &cfg}); err != nil {
		return fmt.Errorf("applying the CORS rule to bucket %s: %w", t.Bucket, c.explain(t, err))
	}
	return nil
}
