"""Print what Debian's python3-feedparser reads from a live feed, as JSON.

Usage: /usr/bin/python3 feedparser_live.py FEED_URL (run by clients_test.go).
feedparser fetches the URL itself, as an app built on it would.
"""
import json
import sys

import feedparser


def attrs(v):
    # feedparser keeps an unknown namespaced element as a dict of its
    # attributes (its text only when it has no attributes); when the element
    # repeats, the last one wins.
    return dict(v) if isinstance(v, dict) else v


d = feedparser.parse(sys.argv[1])
f = d.feed
out = {
    "version": feedparser.__version__,
    "status": d.get("status"),
    "content_type": (d.get("headers") or {}).get("content-type"),
    "feed_version": d.version,
    "bozo": bool(d.bozo),
    "bozo_exception": str(d.get("bozo_exception") or ""),
    "title": f.get("title"),
    "podcast_guid": f.get("podcast_guid"),
    "podcast_locked": attrs(f.get("podcast_locked")),
    "entries": [],
}
for e in d.entries:
    chapters = (e.get("psc_chapters") or {}).get("chapters", [])
    out["entries"].append({
        "id": e.get("id"),
        "guidislink": e.get("guidislink"),
        "title": e.get("title"),
        "enclosures": [
            {"href": x.get("href"), "length": x.get("length"), "type": x.get("type")}
            for x in e.get("enclosures", [])
        ],
        "itunes_duration": e.get("itunes_duration"),
        "podcast_transcript": attrs(e.get("podcast_transcript")),
        "podcast_chapters": attrs(e.get("podcast_chapters")),
        "psc_chapters": [
            {
                "start": c.get("start"),
                # None when feedparser cannot parse the start time.
                "start_ms": (round(c["start_parsed"].total_seconds() * 1000)
                             if c.get("start_parsed") is not None else None),
                "title": c.get("title"),
            }
            for c in chapters
        ],
    })
json.dump(out, sys.stdout, indent=1)
