// Package show owns the show's metadata (show.json) and its optional
// editorial overrides (overrides.json) in the episodes directory: the
// facts a feed, a tag or a cover needs that the source text does not carry.
package show
