-- wrk script for the load drill: nine page views, then one form submission.
-- Arguments: <pages file> <bodies file> <thread count>. Each bodies line is
-- "cookie<TAB>urlencoded body"; each thread sends only its own share, once.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then table.insert(out, line) end
  end
  return out
end

local base = {
  ["Host"] = "clinic.example",
  ["X-Forwarded-Proto"] = "https",
  ["User-Agent"] = "clinic-load/1",
}

function init(args)
  pages = lines(args[1])
  posts = {}
  local count = tonumber(args[3])
  for i, line in ipairs(lines(args[2])) do
    if (i - 1) % count == tid then
      local tab = line:find("\t", 1, true)
      table.insert(posts, { cookie = line:sub(1, tab - 1), body = line:sub(tab + 1) })
    end
  end
  sent, posted, ok200, ok303, other = 0, 0, 0, 0, 0
end

function request()
  sent = sent + 1
  if sent % 10 == 0 and posted < #posts then
    posted = posted + 1
    local p = posts[posted]
    local headers = {}
    for k, v in pairs(base) do headers[k] = v end
    headers["Cookie"] = p.cookie
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Origin"] = "https://clinic.example"
    headers["Referer"] = "https://clinic.example/consultation/"
    return wrk.format("POST", "/consultation/", headers, p.body)
  end
  return wrk.format("GET", pages[(sent % #pages) + 1], base)
end

function response(status, headers, body)
  -- Pages answer 200 and accepted forms 303; anything else is an error.
  if status == 200 then
    ok200 = ok200 + 1
  elseif status == 303 then
    ok303 = ok303 + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = { posted = 0, ok200 = 0, ok303 = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "socket_errors": %d, ' ..
    '"non_2xx_3xx": %d, "posted": %d, "status_200": %d, "status_303": %d, ' ..
    '"status_other": %d, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"max_ms": %.1f}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.timeout,
    summary.errors.status, t.posted, t.ok200, t.ok303, t.other,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
