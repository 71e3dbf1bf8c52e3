-- wrk script: each request uses the next token from tokens.txt; POST mode posts a short status.
local tokens = {}
local counter = 0
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/api/v1/timelines/home?limit=20"
local token_file = os.getenv("BENCH_TOKENS") or "tokens.txt"

for line in io.lines(token_file) do
  if #line > 0 then tokens[#tokens + 1] = line end
end

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

local i = 0
request = function()
  i = i + 1
  local token = tokens[((i + (offset or 0)) % #tokens) + 1]
  local headers = { ["Authorization"] = "Bearer " .. token }
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    local body = '{"status":"Bench note ' .. i .. ' #bench","language":"en"}'
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end

local codes = {}
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    "JSON {\"requests\": %d, \"seconds\": %.2f, \"rps\": %.1f, \"p50_ms\": %.1f, \"p90_ms\": %.1f, " ..
    "\"p99_ms\": %.1f, \"max_ms\": %.1f, \"non_2xx\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
