-- Reads "token<TAB>json body" lines; each thread walks its own share of them.
-- Counts answers whose body holds the success marker; prints one RESULT json line.
local threads, counter = {}, 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local lines, idx = {}, 0
ok, bad = 0, 0  -- globals: done() reads them with thread:get
local path, marker, nthreads

function init(args)
  path = os.getenv("WRK_PATH")
  marker = os.getenv("WRK_OK_MARKER")
  nthreads = tonumber(os.getenv("WRK_THREADS"))
  for line in io.lines(os.getenv("WRK_REQUESTS")) do table.insert(lines, line) end
end

function request()
  local line = lines[((tid + idx * nthreads) % #lines) + 1]
  idx = idx + 1
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. line:sub(1, tab - 1),
  }, line:sub(tab + 1))
end

function response(status, headers, body)
  if status == 200 and body:find(marker, 1, true) then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local ok_total, bad_total = 0, 0
  for _, t in ipairs(threads) do
    ok_total = ok_total + t:get("ok")
    bad_total = bad_total + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"socket_errors":%d,"non2xx":%d,"ok":%d,"bad":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status, ok_total, bad_total))
end
