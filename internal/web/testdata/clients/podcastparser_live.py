"""Print what Debian's python3-podcastparser (gPodder's feed parser) reads
from a live feed, as JSON.

Usage: /usr/bin/python3 podcastparser_live.py FEED_URL (run by clients_test.go).
podcastparser parses a stream; like gPodder, this fetches it with urllib.
"""
import json
import sys
import urllib.request

import podcastparser

url = sys.argv[1]
with urllib.request.urlopen(url, timeout=30) as resp:
    p = podcastparser.parse(url, resp)
    p["status"] = resp.status
    p["content_type"] = resp.headers.get("Content-Type")
p["version"] = podcastparser.__version__
json.dump(p, sys.stdout, indent=1, default=str)
