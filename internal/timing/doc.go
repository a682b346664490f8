// Package timing owns the timing map: when each sentence and word of an
// episode is spoken. It is the contract between the producers of timings
// (narrate, which knows them exactly, and align, which finds them in a
// person's recording) and their consumers (transcripts, chapters, the feed
// and the player). The JSON form is the sidecar written next to each MP3.
package timing
