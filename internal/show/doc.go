// Package show owns the show's metadata (show.json) and its optional
// editorial overrides (overrides.json) in the episodes directory: the
// facts a feed, a tag or a cover needs that the source text does not carry.
//
// It is the one validation of those files: every command (outline,
// narrate, serve, export, and init for what it writes) reads them through
// Load, which lists every problem at once, each naming the field and what
// to write, so that a show one command accepts, every command accepts. Its
// *Error starts with the file's path; callers add no prefix of their own.
package show
