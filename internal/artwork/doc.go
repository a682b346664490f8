// Package artwork owns the podcast's cover art: a square RGB image drawn
// from the show's metadata (title, subtitle, author) with the Go fonts, and
// its JPEG encoding for the feed's itunes:image.
//
// The cover is a pure function of its Cover value: the same metadata gives
// the same bytes, so it can be rendered once when the catalog loads and
// served with a stable ETag. The package owns the golang.org/x/image
// dependency (font parsing, text and shape rasterizing, resampling).
//
// Text is set, never clipped: the title takes the largest size at which it
// wraps, in balanced lines, inside its box; a title too long for the
// smallest legible size is cut with an ellipsis. The Go fonts cover Latin,
// Greek and Cyrillic; other scripts draw as missing-glyph boxes.
package artwork
