"""Slow-header clients for scripts/bench-load.

Usage: python3 load-slowheaders.py HOST PORT CONNECTIONS GIVE_UP_SECONDS

Opens CONNECTIONS TCP connections to HOST:PORT and on each sends a request
head one byte a second, never finishing it (a slowloris client). It records
how long the server keeps each connection before closing it, up to
GIVE_UP_SECONDS, and prints one JSON object:

  {"connections": N, "cut_off": [seconds, ...], "kept": K, "bytes_sent": [...]}

where kept counts connections the server still held at GIVE_UP_SECONDS. A
server with a header timeout cuts every connection off at about that timeout.
"""
import json
import socket
import sys
import threading
import time

host, port, n, give_up = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
head = b"GET /feed.xml HTTP/1.1\r\nHost: " + host.encode() + b"\r\nUser-Agent: slow-header-client\r\nX-Padding: " + b"x" * 4096
results = [None] * n
sent = [0] * n


def slow(i):
    s = socket.create_connection((host, port), timeout=5)
    start = time.monotonic()
    s.setblocking(False)
    try:
        while time.monotonic() - start < give_up:
            # The server has closed (EOF), reset, or answered (a 408):
            # either way it let go of the connection.
            try:
                data = s.recv(4096)
                if data == b"" or data:
                    results[i] = time.monotonic() - start
                    return
            except BlockingIOError:
                pass
            except OSError:
                results[i] = time.monotonic() - start
                return
            try:
                s.send(head[sent[i]:sent[i] + 1])
                sent[i] += 1
            except BlockingIOError:
                pass
            except OSError:
                results[i] = time.monotonic() - start
                return
            time.sleep(1)
    finally:
        s.close()


threads = [threading.Thread(target=slow, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
cut = [round(r, 2) for r in results if r is not None]
json.dump({"connections": n, "cut_off": cut, "kept": n - len(cut), "bytes_sent": sent}, sys.stdout)
print()
