// Package atomicfile owns every replacement of a file readcast makes: a
// reader, or the machine after a crash, sees the old file or the whole new
// one, never a part.
//
// Each write goes to a temporary file with a unique name in the target's
// own directory (so the rename never crosses a file system, and two runs
// never share a name), which is synced, renamed over the target, and then
// the directory is synced so the rename itself survives a crash. Symlink
// does the same for a symlink (the publish store's live links), and
// ReplaceDir for a whole directory (a static export).
//
// Why not github.com/google/renameio/v2 (v2.0.2): it syncs the file but
// never the directory, so a rename that returned can still be lost after a
// crash, which the publish store's ordering (each step durable before the
// next) relies on; its Symlink makes a temporary directory that a crash
// leaves behind under a name no owner recognizes; and it has no directory
// swap. What it would add over this package is small, so readcast keeps
// one short implementation of its own instead of two half ones.
//
// Temporary names start with a dot (catalog.Watch ignores them) and end in
// ".tmp": by default "."+base+"."+random+".tmp"; an owner that removes its
// own leftovers after a crash (the publish store) sets Temps.Prefix, so it
// can recognize them and nothing else.
package atomicfile
