-- get.lua asks for the same URL on every request, with no Accept-Encoding,
-- so every answer must be a 200 with the identity body of BENCH_SIZE bytes.
--
-- Environment: BENCH_LUA_DIR (where report.lua is), BENCH_SIZE,
-- BENCH_CHECK=1 to check each response.

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local size = tonumber(os.getenv("BENCH_SIZE") or "")

function check(status, headers, body)
  return status == 200 and #body == size and headers["Content-Encoding"] == nil
end
