-- load-mix.lua is the workload of scripts/bench-load: each request picks,
-- by weight, one of the URLs listed in the file BENCH_URLS, one per line:
--
--   <weight> <kind> <path> [<size>]
--
-- kind "text" is a GET with Accept-Encoding: gzip (feed, pages,
-- transcripts, chapters: what apps and browsers send); kind "range" is a
-- random 64 KB-aligned range of 64 KB of a file of <size> bytes, the way a
-- podcast player streams and seeks. Every answer must be a 200 or a 206.
--
-- It prints one line bench-load parses:
--
--   BENCH requests=N seconds=S rps=R p50_us=A p99_us=B max_us=M errors=E bad=K bytes=Y
--
-- errors counts wrk's socket errors, timeouts and statuses >= 400; bad
-- counts statuses other than 200 and 206 when BENCH_CHECK=1 (checking makes
-- wrk hand each body to Lua, which costs wrk CPU, so the measured run
-- leaves it off and relies on errors).

local threads = {}
local chunk = 65536

function setup(thread)
  thread:set("seed", (tonumber(os.getenv("BENCH_SEED") or "") or os.time()) + 7919 * (#threads + 1))
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed)
  bad = 0
  urls, total = {}, 0
  local f = assert(io.open(os.getenv("BENCH_URLS"), "r"))
  for line in f:lines() do
    local weight, kind, path, size = line:match("^(%d+) (%a+) (%S+) ?(%d*)$")
    if weight then
      total = total + tonumber(weight)
      table.insert(urls, { upto = total, kind = kind, path = path, blocks = math.floor((tonumber(size) or 0) / chunk) })
    end
  end
  f:close()
  assert(total > 0, "load-mix.lua: no URLs in BENCH_URLS")
  if os.getenv("BENCH_CHECK") == "1" then
    response = function(status, headers, body)
      if status ~= 200 and status ~= 206 then
        bad = bad + 1
      end
    end
  end
end

function request()
  local r = math.random(1, total)
  for _, u in ipairs(urls) do
    if r <= u.upto then
      if u.kind == "range" then
        local a = math.random(0, u.blocks - 1) * chunk
        return wrk.format("GET", u.path, { ["Range"] = string.format("bytes=%d-%d", a, a + chunk - 1) })
      end
      return wrk.format("GET", u.path, { ["Accept-Encoding"] = "gzip" })
    end
  end
end

function done(summary, latency, requests)
  local nbad = 0
  for _, t in ipairs(threads) do
    nbad = nbad + (t:get("bad") or 0)
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d max_us=%d errors=%d bad=%d bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50),
    latency:percentile(99), latency.max, errors, nbad, summary.bytes))
end
