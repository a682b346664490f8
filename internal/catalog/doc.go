// Package catalog loads a show's episodes directory — metadata, source text,
// recorded MP3s, timing sidecars, artwork — into an immutable Snapshot in
// which everything a listener can fetch (feed, transcripts, chapters, cover,
// audio) is already rendered, hashed and addressed. Serving reads a snapshot
// and never renders; reloading builds a new snapshot and swaps it in whole.
//
// Layout of the directory:
//
//	show.json               show metadata (internal/show)
//	overrides.json          optional editorial overrides
//	<source>.txt            the text, named by show.json
//	cover.jpg               artwork (rendered from show.json when missing)
//	audio/<slug>.mp3        an episode's recording, or a symlink to one in
//	                        audio/store/ (published by internal/publish)
//	audio/<slug>.timing.json  its timing sidecar (internal/timing)
//	audio/timings/<sha256>.json  timing maps by recording hash (TimingPath)
package catalog
