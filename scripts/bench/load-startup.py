"""Startup time of readcast serve, for scripts/bench-load.

Usage: python3 load-startup.py RUNS COMMAND [ARGS...]

Runs COMMAND serve -addr 127.0.0.1:PORT ARGS... RUNS times (PORT a free
port), each time measuring the wall time from starting the process to the
first 200 from /healthz, polling every 2 ms from this process (a shell loop
would fork a curl per poll, and on a small virtual machine a fork alone
costs milliseconds). Prints one JSON object:

  {"ms": [...], "loaded_in": [...]}

with loaded_in the catalog load time readcast logs ("loaded_in=63ms").
"""
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

runs, command = int(sys.argv[1]), sys.argv[2:]
out = {"ms": [], "loaded_in": []}
for _ in range(runs):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with tempfile.TemporaryFile() as log:
        start = time.monotonic()
        p = subprocess.Popen([command[0], "serve", "-addr", "127.0.0.1:%d" % port] + command[1:], stderr=log)
        try:
            while True:
                if p.poll() is not None:
                    log.seek(0)
                    sys.exit("readcast exited: " + log.read().decode())
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() - start > 30:
                    sys.exit("readcast did not answer within 30 s")
                time.sleep(0.002)
            out["ms"].append(round((time.monotonic() - start) * 1000, 1))
        finally:
            p.terminate()
            p.wait()
        log.seek(0)
        m = re.search(r"loaded_in=([0-9.]+[mµ]?s)", log.read().decode("utf-8", "replace"))
        out["loaded_in"].append(m.group(1) if m else "?")
json.dump(out, sys.stdout)
print()
