-- range.lua asks for a random 64 KB range of one file per request, the way a
-- podcast player seeks and streams: "Range: bytes=a-b" with a a multiple of
-- 64 KB and b = a + 65535, always inside the file, so every answer must be a
-- 206 with exactly 65536 bytes.
--
-- Environment: BENCH_LUA_DIR (where report.lua is), BENCH_SIZE (the file's
-- length in bytes), BENCH_CHECK=1 to check each response, BENCH_SEED.

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local chunk = 65536
local size = tonumber(os.getenv("BENCH_SIZE") or "")
if size == nil or size < chunk then
  error("range.lua: set BENCH_SIZE to the file's length (at least 64 KB)")
end
local blocks = math.floor(size / chunk)

function request()
  local a = math.random(0, blocks - 1) * chunk
  return wrk.format("GET", nil, { ["Range"] = string.format("bytes=%d-%d", a, a + chunk - 1) })
end

function check(status, headers, body)
  return status == 206 and #body == chunk
      and (headers["Content-Range"] or ""):match("^bytes %d+%-%d+/" .. size .. "$") ~= nil
end
