"""Print gPodder's podcasts and episodes from its sqlite Database, as JSON.

Usage: /usr/bin/python3 gpodder_db.py GPODDER_HOME/Database (run by
clients_test.go after gpo subscribe, update and download). gpo prints no
machine-readable listing, so the test reads what gPodder stored, which is
what its UI shows.
"""
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
out = {
    "podcasts": [dict(r) for r in db.execute("SELECT id, title, url, cover_url FROM podcast")],
    "episodes": [],
}
for r in db.execute(
        "SELECT guid, title, url, file_size, mime_type, state, published, total_time,"
        " download_filename, chapters FROM episode ORDER BY published"):
    e = dict(r)
    # gPodder stores the chapters it read from psc:chapters as JSON text.
    e["chapters"] = json.loads(e["chapters"]) if e["chapters"] else []
    out["episodes"].append(e)
json.dump(out, sys.stdout, indent=1)
