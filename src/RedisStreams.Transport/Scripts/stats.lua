-- KEYS: stream, dead-letter stream, delayed set
-- ARGV: group
-- Reads only, all on the queue's slot and on the server's clock, in one round trip (queue gauges, health checks).
-- Returns { length, lag (-1: unknown or no group), pending, oldest pending age in ms (-1: none),
--           dead-lettered, delayed, consumers, group exists (0/1) }
local length = redis.call('XLEN', KEYS[1])
local lag, pending, oldest, consumers, found = -1, 0, -1, 0, 0
local groups = redis.pcall('XINFO', 'GROUPS', KEYS[1])
if type(groups) == 'table' and not groups.err then
  for _, info in ipairs(groups) do
    if field_value(info, 'name') == ARGV[1] then
      found = 1
      pending = tonumber(field_value(info, 'pending')) or 0
      consumers = tonumber(field_value(info, 'consumers')) or 0
      -- Redis 7 reports the group's lag, or nil when deletions keep it from knowing; older servers have no field.
      local l = field_value(info, 'lag')
      if type(l) == 'number' then lag = l end
      break
    end
  end
  if pending > 0 then
    local summary = redis.call('XPENDING', KEYS[1], ARGV[1])
    if summary[2] then oldest = math.max(0, server_now_ms() - entry_ms(summary[2])) end
  end
end
return { length, lag, pending, oldest, redis.call('XLEN', KEYS[2]), redis.call('ZCARD', KEYS[3]), consumers, found }
