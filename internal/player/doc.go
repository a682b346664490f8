// Package player owns the web pages of a show: the show page, with its
// subscribe links, and the episode page, a read-along player whose transcript
// follows the narration sentence by sentence and word by word.
//
// Templates and static assets (one stylesheet, one script, one icon) are
// embedded with embed.FS and prepared once, in New: templates parsed, assets
// fingerprinted (a hash of the content in the URL, so they can be cached
// forever) and gzip-compressed. The pages' data is built here, from the
// snapshot's catalog and transcript types (data.go), and every page of a
// snapshot is rendered once, when internal/web swaps the snapshot in
// (Pages.Site): a request only picks bytes. All of them are catalog.Assets,
// served like the show's other files.
//
// The pages work without JavaScript: the show page is plain HTML, and the
// episode page has the browser's own audio controls and the whole transcript,
// every paragraph opening with a link into the MP3 at its time (a media
// fragment, audio.mp3#t=SECONDS). The script (static/player.js, vanilla,
// no build step) adds the read-along: it reads the times the page carries on
// every sentence and word, and highlights from audio.currentTime with a
// binary search, so the highlight never drifts, however long the episode.
package player
