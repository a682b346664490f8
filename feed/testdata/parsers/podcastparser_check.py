"""Print what Debian's python3-podcastparser (gPodder's parser) reads from a
feed, as JSON.

Usage: /usr/bin/python3 podcastparser_check.py FEED.xml FEED_URL
(run by parsers_test.go).
"""
import json
import sys

import podcastparser

with open(sys.argv[1], "rb") as f:
    p = podcastparser.parse(sys.argv[2], f)
p["version"] = podcastparser.__version__
json.dump(p, sys.stdout, indent=1, default=str)
