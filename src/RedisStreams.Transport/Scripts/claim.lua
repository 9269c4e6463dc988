-- Takes over the oldest entries other consumers have held longer than the idle limit (their process died or
-- hung), with Redis's own delivery counter: a crash loop ends in the dead-letter stream. XCLAIM repeats the
-- idle check, so an entry renewed in the meantime stays with its owner.
-- An entry delivered twice or more already is a suspect (it may be what killed its consumers): it is taken
-- alone, so the messages claimed with it cannot die with it again and again until they reach the limit too.
-- KEYS: stream, dead-letter stream
-- ARGV: group, consumer, min idle ms, count, max deliveries, delete on ack (0/1)
-- Returns: admitted entries, expired count, dead-lettered count, 1 when the (only) entry is a suspect,
-- entries that could not be admitted ({ id, reason }; they stay pending and are reclaimed later)
local ctx = { stream = KEYS[1], dlq = KEYS[2], group = ARGV[1], max_deliveries = tonumber(ARGV[5]),
  delete = ARGV[6], now = server_now_ms(), out = {}, expired = 0, dead = 0, isolated = {} }
local idle = redis.pcall('XPENDING', ctx.stream, ctx.group, 'IDLE', ARGV[3], '-', '+', ARGV[4])
if is_nogroup(idle) then
  provision(ctx.stream, ctx.group)
  return { {}, 0, 0, 0, {} }
elseif type(idle) == 'table' and idle.err then
  error(idle.err)
end
local suspect = 0
for k = 1, #idle do
  local id, deliveries = idle[k][1], tonumber(idle[k][4])
  if deliveries >= 2 and k > 1 then break end
  local claimed = redis.call('XCLAIM', ctx.stream, ctx.group, ARGV[2], ARGV[3], id)
  local entry = claimed[1]
  if entry and entry[2] then
    admit_isolated(ctx, id, entry[2], deliveries + 1)
  end
  if deliveries >= 2 then
    suspect = 1
    break
  end
end
return { ctx.out, ctx.expired, ctx.dead, suspect, ctx.isolated }
