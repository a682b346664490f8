// Package publish is how a new recording of an episode goes live without
// ever breaking the show: it receives an upload (streamed to disk under a
// size limit), validates it (a full decode, a duration plausible for the
// episode's text), has it aligned to the text, and publishes recording and
// timing map together with one atomic rename. The previous recording stays
// live until the new one is complete, and can be restored.
//
// Layout it keeps inside the episodes directory (see internal/catalog):
//
//	audio/store/<sha256>.mp3      recordings, content-addressed, never rewritten
//	audio/timings/<sha256>.json   their timing maps (catalog.TimingPath)
//	audio/<slug>.mp3              a symlink to store/<sha256>.mp3: the live one
//	audio/store/<slug>.previous   a symlink to the recording live before it
//
// Publishing writes the timing map and the recording under their final,
// content-addressed names (each written to a temporary name, fsynced, renamed
// and its directory fsynced), and only then replaces audio/<slug>.mp3 with a
// new symlink by rename. Whatever instant a crash happens at, the symlink
// names either the old recording or the new one, each with its timing map:
// never a mix. Open removes what a crash can leave behind (partial uploads,
// temporary files, recordings no symlink names).
//
// An episode whose audio/<slug>.mp3 is a regular file (a recording committed
// with the show, or made by readcast narrate) is adopted on its first
// publish: hard-linked into the store, so that it can be restored.
package publish
