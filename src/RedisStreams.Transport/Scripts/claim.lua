-- Takes over entries other consumers have held longer than the idle limit (their process died or
-- hung), with Redis's own delivery counter: a crash loop ends in the dead-letter stream.
-- KEYS: stream, dead-letter stream
-- ARGV: group, consumer, min idle ms, cursor, count, max deliveries, delete on ack (0/1)
local ctx = { stream = KEYS[1], dlq = KEYS[2], group = ARGV[1], max_deliveries = tonumber(ARGV[6]),
  delete = ARGV[7], now = server_now_ms(), out = {}, expired = 0, dead = 0 }
local reply = redis.pcall('XAUTOCLAIM', ctx.stream, ctx.group, ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
if is_nogroup(reply) then
  provision(ctx.stream, ctx.group)
  return { '0-0', {}, 0, 0 }
elseif type(reply) == 'table' and reply.err then
  error(reply.err)
end
local entries = reply[2]
for k = 1, #entries do
  local entry = entries[k]
  if entry and entry[2] then
    admit(ctx, entry[1], entry[2], pending_deliveries(ctx.stream, ctx.group, entry[1]))
  end
end
return { reply[1], ctx.out, ctx.expired, ctx.dead }
