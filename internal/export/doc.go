// Package export writes a whole site — feed, media, transcripts, chapters,
// pages, artwork, static assets — as static files that any static host,
// CDN or S3-compatible bucket can serve. It crawls the site's own HTTP
// handler, so the files are byte for byte what `readcast serve` answers,
// with no second rendering path to drift out of step.
package export
