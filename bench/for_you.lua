-- wrk script for bench/recommend_scale.py --http: each wrk thread (run one connection per thread) reads
-- For you as a reader would: BENCH_PAGES pages (cursor 0, 20, 40, ...) with one reader's credential, then
-- the next reader's. BENCH_PAGES=1 makes every request a new reader (a cold ranking each time).
-- Credentials (one a line) are OAuth tokens (BENCH_AUTH=bearer, the native API) or session ids
-- (BENCH_AUTH=cookie, the web page). Prints one JSON line with the latency percentiles.
local creds = {}
local auth = os.getenv("BENCH_AUTH") or "bearer"
local path = os.getenv("BENCH_PATH") or "/api/nb/v1/recommend/for-you?limit=20"
local pages = tonumber(os.getenv("BENCH_PAGES") or "1")
local limit = tonumber(os.getenv("BENCH_LIMIT") or "20")
local cred_file = os.getenv("BENCH_CREDS") or "creds.txt"
local threads_total = tonumber(os.getenv("BENCH_THREADS") or "8")
-- BENCH_CLOSE=1: a new connection per request, as nginx's proxy_pass opens them (docs/deploy.md), rather
-- than one kept-alive connection per thread, which stays with whichever gunicorn process accepted it.
local close = os.getenv("BENCH_CLOSE") == "1"

for line in io.lines(cred_file) do
  if #line > 0 then creds[#creds + 1] = line end
end

local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

-- Thread k takes readers k, k + threads, k + 2 * threads, ...: no two threads share a reader.
local i = 0
request = function()
  local reader = (math.floor(i / pages) * threads_total + (tid or 0)) % #creds
  local page = i % pages
  i = i + 1
  local cred = creds[reader + 1]
  local headers = {}
  if auth == "cookie" then
    headers["Cookie"] = "sessionid=" .. cred
  else
    headers["Authorization"] = "Bearer " .. cred
  end
  if close then headers["Connection"] = "close" end
  local sep = string.find(path, "?", 1, true) and "&" or "?"
  local url = path
  if page > 0 then url = path .. sep .. "cursor=" .. tostring(page * limit) end
  return wrk.format("GET", url, headers)
end

done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\"requests\": %d, \"seconds\": %.2f, \"rps\": %.1f, \"p50_ms\": %.1f, \"p90_ms\": %.1f, " ..
    "\"p95_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f, \"non_2xx\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
