"""Print what Debian's python3-feedparser reads from a feed, as JSON.

Usage: /usr/bin/python3 feedparser_check.py FEED.xml (run by parsers_test.go).
"""
import json
import sys

import feedparser

d = feedparser.parse(sys.argv[1])
f = d.feed


def attrs(v):
    # feedparser keeps the attributes of an unknown namespaced element as a
    # dict (the last one wins when the element repeats).
    return dict(v) if isinstance(v, dict) else None


out = {
    "version": feedparser.__version__,
    "feed_version": d.version,
    "bozo": bool(d.bozo),
    "bozo_exception": str(d.get("bozo_exception") or ""),
    "title": f.get("title"),
    "itunes_type": f.get("itunes_type"),
    "podcast_guid": f.get("podcast_guid"),
    "podcast_locked": attrs(f.get("podcast_locked")),
    "podcast_txt": attrs(f.get("podcast_txt")),
    "image": (f.get("image") or {}).get("href"),
    "tags": [t.get("term") for t in f.get("tags", [])],
    "entries": [],
}
for e in d.entries:
    content = e.get("content") or [{}]
    out["entries"].append({
        "id": e.get("id"),
        "guidislink": e.get("guidislink"),
        "title": e.get("title"),
        "published": e.get("published"),
        "enclosures": [
            {"href": x.get("href"), "length": x.get("length"), "type": x.get("type")}
            for x in e.get("enclosures", [])
        ],
        "itunes_duration": e.get("itunes_duration"),
        "itunes_episode": e.get("itunes_episode"),
        "itunes_episodetype": e.get("itunes_episodetype"),
        "podcast_transcript": attrs(e.get("podcast_transcript")),
        "podcast_chapters": attrs(e.get("podcast_chapters")),
        "podcast_txt": attrs(e.get("podcast_txt")),
        "psc_chapters": [
            {"start": c.get("start"), "title": c.get("title")}
            for c in (e.get("psc_chapters") or {}).get("chapters", [])
        ],
        "content_type": content[0].get("type"),
        "content": content[0].get("value"),
        "summary": e.get("summary"),
    })
json.dump(out, sys.stdout, indent=1)
