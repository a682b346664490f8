-- report.lua is shared by the wrk scripts of scripts/bench-serve. It counts
-- responses that are not what the workload expects (each thread keeps its
-- own count; done() adds them up) and prints one machine-readable line that
-- bench-serve parses:
--
--   BENCH requests=N seconds=S rps=R p50_us=A p99_us=B errors=E timeouts=T bad=K bytes=Y
--
-- errors counts wrk's socket errors, timeouts and HTTP statuses >= 400,
-- timeouts the requests among them that got no answer within wrk's 2 s; bad
-- counts responses the script's check() rejected, when BENCH_CHECK=1 turns
-- checking on. Checking makes wrk copy every body into Lua, which costs wrk
-- CPU it would otherwise spend sending requests, so bench-serve checks in the
-- warm-up run and measures with checking off.

local threads = {}
local base_seed = tonumber(os.getenv("BENCH_SEED") or "") or os.time()

function setup(thread)
  thread:set("thread_seed", base_seed + 7919 * (#threads + 1))
  table.insert(threads, thread)
end

function init(args)
  -- Each thread draws its own sequence of ranges.
  math.randomseed(thread_seed)
  bad = 0
  if os.getenv("BENCH_CHECK") == "1" and check ~= nil then
    response = function(status, headers, body)
      if not check(status, headers, body) then
        bad = bad + 1
      end
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("bad") or 0)
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d errors=%d timeouts=%d bad=%d bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), errors, e.timeout, bad, summary.bytes))
end
