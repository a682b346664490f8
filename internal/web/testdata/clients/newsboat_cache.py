"""Print the items newsboat stored in its cache after a reload, as JSON.

Usage: /usr/bin/python3 newsboat_cache.py CACHE.db (run by clients_test.go).
"""
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
items = [dict(r) for r in db.execute(
    "SELECT guid, title, url, enclosure_url, enclosure_type, enqueued FROM rss_item ORDER BY pubDate")]
json.dump({"items": items}, sys.stdout, indent=1)
