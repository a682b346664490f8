package catalog

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Asset is one thing a client can fetch, ready to serve.
type Asset struct {
	Path string // URL path, e.g. "/transcripts/01-my-youth-in-the-ussr.3f2a9c81d0e4.vtt"
	Type string // Content-Type
	// Body is the bytes of an in-memory asset; File names the file of an
	// on-disk one (audio, served from disk so an hour of MP3 is never held
	// in memory).
	Body []byte
	File string
	// Gzip is Body compressed once at load, for text types worth it.
	Gzip []byte
	Size int64
	// SHA256 is the hex digest of the content; ETag is its quoted prefix.
	SHA256  string
	ETag    string
	ModTime time.Time
	// Immutable assets live at content-addressed URLs: a change of content
	// is a new URL, so clients may cache them forever.
	Immutable bool
	// CORS marks assets other sites' players and apps fetch from scripts.
	CORS bool
	// id is the identity of File when it was hashed: its device and inode,
	// with Size and ModTime.
	id fileID
}

// Open opens the asset's file. It fails with ErrChanged if the file at
// File is not the one the snapshot hashed (size, modification time,
// device and inode), so a snapshot never serves other bytes under its
// URL, length and ETag: not after a copy over it in place (same inode, new
// modification time), not after a rename over it (new inode), not grown
// or cut short. It is checked on every open, which costs one fstat(2).
func (a *Asset) Open() (*os.File, error) {
	if a.File == "" {
		return nil, fmt.Errorf("catalog: %s is not a file", a.Path)
	}
	f, now, err := openFile(a.File)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if now.size != a.Size || !now.mod.Equal(a.ModTime) || now.id != a.id {
		f.Close()
		return nil, fmt.Errorf("catalog: %s: %w", a.File, ErrChanged)
	}
	return f, nil
}

// intact reports whether the asset's file is still the one hashed.
func (a *Asset) intact() bool {
	f, err := a.Open()
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// fileStamp is what an open file is: size, modification time and
// identity.
type fileStamp struct {
	size int64
	mod  time.Time
	id   fileID
}

// ErrChanged means a file on disk is no longer the one the snapshot
// hashed: a reload will pick up the new one.
var ErrChanged = errors.New("the file changed since the show was loaded")

// GzipETag is the ETag of the gzip-encoded representation: a different
// representation must have a different strong validator.
func (a *Asset) GzipETag() string { return strings.TrimSuffix(a.ETag, `"`) + `-gz"` }

// contentName returns "<base>.<hash12><ext>": the URL name of content.
func contentName(base, sum, ext string) string { return base + "." + sum[:12] + ext }

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// compressible lists the types worth compressing; audio and images are
// already compressed and must never be gzipped (players range-request them).
func compressible(typ string) bool {
	for _, p := range []string{"text/", "application/json", "application/rss+xml", "application/xml", "application/x-subrip", "application/javascript", "image/svg+xml"} {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// gzipWriters reuses compressors across assets: each holds about a
// megabyte of tables, and a show of a thousand episodes renders six
// thousand assets at load. The default level, not the best: on the feed of
// a 1,000-episode show (2.9 MB) it is 1.5% larger and twice as fast (13 vs
// 26 ms), and on the seed's feed and transcripts the sizes are the same
// within a few bytes.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}

// NewAsset makes an in-memory asset of body: hashed for its ETag, and
// gzip-compressed once when its type is text and compression pays. Every
// in-memory asset readcast serves is made here (the show's files, the
// player's pages and static files), so they follow one rule.
func NewAsset(path, typ string, body []byte, modTime time.Time, immutable, cors bool) *Asset {
	sum := sha(body)
	a := &Asset{
		Path: path, Type: typ, Body: body, Size: int64(len(body)),
		SHA256: sum, ETag: `"` + sum[:16] + `"`, ModTime: modTime,
		Immutable: immutable, CORS: cors,
	}
	if compressible(typ) && len(body) > 512 {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
		if buf.Len() < len(body)*9/10 {
			a.Gzip = buf.Bytes()
		}
	}
	return a
}
