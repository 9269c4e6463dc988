-- Retention mode: trims acknowledged history by length and age, never below the oldest entry some
-- group still holds or has not read yet.
-- KEYS: stream
-- ARGV: max length (0 = none), max age ms (0 = none), most entries to inspect per call
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
local function successor(id)
  local ms, seq = parse(id)
  return string.format('%d-%d', ms, seq + 1)
end

local threshold = nil
local max_len, max_age = tonumber(ARGV[1]), tonumber(ARGV[2])
if max_age > 0 then
  threshold = string.format('%d-0', server_now_ms() - max_age)
end
if max_len > 0 then
  local excess = redis.call('XLEN', KEYS[1]) - max_len
  if excess > 0 then
    local range = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', math.min(excess, tonumber(ARGV[3])))
    local candidate = successor(range[#range][1])
    if threshold == nil or less(threshold, candidate) then threshold = candidate end
  end
end
if threshold == nil then return 0 end

local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
for g = 1, #groups do
  local info = groups[g]
  local name, pending, last
  for f = 1, #info, 2 do
    if info[f] == 'name' then name = info[f + 1]
    elseif info[f] == 'pending' then pending = tonumber(info[f + 1])
    elseif info[f] == 'last-delivered-id' then last = info[f + 1] end
  end
  local floor = successor(last)
  if pending > 0 then
    local summary = redis.call('XPENDING', KEYS[1], name)
    if summary[2] and less(summary[2], floor) then floor = summary[2] end
  end
  if less(floor, threshold) then threshold = floor end
end
return redis.call('XTRIM', KEYS[1], 'MINID', threshold)
