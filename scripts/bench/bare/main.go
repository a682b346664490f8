// Command bare is the reference server of scripts/bench-serve: net/http
// answering the same feed bytes (from memory) and the same MP3 (an
// *os.File opened per request) as readcast, each through http.ServeContent,
// with nothing else: no router, access log, metrics, connection bounds or
// extra headers. readcast's CPU per request over bare's is what readcast's
// routing, logging, metrics, bounds and headers cost.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen on `host:port`")
	feedFile := flag.String("feed", "", "`file` of the feed's bytes, served from memory at /feed.xml")
	mp3 := flag.String("mp3", "", "MP3 `file` served at -mp3-path")
	mp3Path := flag.String("mp3-path", "", "URL `path` of the MP3")
	flag.Parse()
	feed, err := os.ReadFile(*feedFile)
	if err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(*mp3)
	if err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(feed)
	feedETag := `"` + hex.EncodeToString(sum[:8]) + `"`
	mp3ETag := fmt.Sprintf(`"%x-%x"`, fi.Size(), fi.ModTime().UnixNano())
	h := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			w.Header().Set("ETag", feedETag)
			http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(feed))
		case *mp3Path:
			f, err := os.Open(*mp3)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer f.Close()
			w.Header().Set("Content-Type", "audio/mpeg")
			w.Header().Set("ETag", mp3ETag)
			http.ServeContent(w, r, "", fi.ModTime(), f)
		default:
			http.NotFound(w, r)
		}
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "url=http://%s\n", l.Addr())
	log.Fatal(http.Serve(l, http.HandlerFunc(h)))
}
