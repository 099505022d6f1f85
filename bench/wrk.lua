-- Replays prepared requests (one per line: METHOD \t PATH \t TOKEN \t BODY)
-- and counts answers that are not a success: HTTP other than 200, or a
-- partner envelope whose resultcode/errcode is not 0. `wrapped` says the
-- prepared requests ran out and were reused (the run then measures repeats).
local file = os.getenv("BENCH_REQUESTS")
local requests = {}
local index = 0
errors = 0
wrapped = 0

init = function(args)
  for line in io.lines(file) do
    local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if token ~= "" then headers["Authorization"] = "Bearer " .. token end
    if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

request = function()
  index = index + 1
  if index > #requests then
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

response = function(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  elseif not (body:find('"resultcode":0,', 1, true) or body:find('"errcode":0,', 1, true) or body:find('"ok":true', 1, true)) then
    errors = errors + 1
  end
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

done = function(summary, latency, requests)
  local e, w = 0, 0
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
    w = w + t:get("wrapped")
  end
  io.stderr:write(string.format("BENCH {\"appErrors\":%d,\"wrapped\":%d,\"p50us\":%d,\"p99us\":%d}\n", e, w, latency:percentile(50), latency:percentile(99)))
end
