-- Hands up to COUNT entries to a consumer: first entries given back to the queue (owned by the
-- "returned" consumer), then new ones. Re-creates the group when it vanished. When fewer than asked
-- for were found, arms the doorbell so the next writer wakes the idle receivers.
-- KEYS: stream, dead-letter stream, waiting flag
-- ARGV: group, consumer, count, max deliveries, returned consumer, delete on ack (0/1), waiting ttl ms
-- Returns: admitted entries, expired count, dead-lettered count, 1 when the group was re-created,
-- entries that could not be admitted ({ id, reason }; they stay pending and are reclaimed later)
local ctx = { stream = KEYS[1], dlq = KEYS[2], group = ARGV[1], max_deliveries = tonumber(ARGV[4]),
  delete = ARGV[6], now = server_now_ms(), out = {}, expired = 0, dead = 0, isolated = {} }
local consumer, count, returned = ARGV[2], tonumber(ARGV[3]), ARGV[5]
local provisioned = 0

local pending = redis.pcall('XPENDING', ctx.stream, ctx.group, '-', '+', count, returned)
if is_nogroup(pending) then
  provision(ctx.stream, ctx.group)
  provisioned = 1
  pending = {}
elseif type(pending) == 'table' and pending.err then
  error(pending.err)
end

local taken = 0
if #pending > 0 then
  local ids = {}
  local counts = {}
  for k = 1, #pending do
    ids[k] = pending[k][1]
    counts[pending[k][1]] = tonumber(pending[k][4])
  end
  local claimed = call_chunked({ 'XCLAIM', ctx.stream, ctx.group, consumer, 0 }, ids, {})
  for k = 1, #claimed do
    local entry = claimed[k]
    if entry and entry[2] then
      taken = taken + 1
      admit_isolated(ctx, entry[1], entry[2], counts[entry[1]] + 1)
    end
  end
end

local wanted = count - taken
if wanted > 0 then
  local reply = redis.pcall('XREADGROUP', 'GROUP', ctx.group, consumer, 'COUNT', wanted, 'STREAMS', ctx.stream, '>')
  if is_nogroup(reply) then
    provision(ctx.stream, ctx.group)
    provisioned = 1
    reply = redis.call('XREADGROUP', 'GROUP', ctx.group, consumer, 'COUNT', wanted, 'STREAMS', ctx.stream, '>')
  elseif type(reply) == 'table' and reply.err then
    error(reply.err)
  end
  local found = 0
  if reply then
    local entries = reply[1][2]
    found = #entries
    for k = 1, #entries do
      admit_isolated(ctx, entries[k][1], entries[k][2], 1)
    end
  end
  if found < wanted then
    -- The flag only saves the idle poll; a server out of memory may refuse it (SET is denied under OOM
    -- when it is a script's first write), and that must not fail a fetch that already took entries.
    redis.pcall('SET', KEYS[3], '1', 'PX', ARGV[7])
  end
end

return { ctx.out, ctx.expired, ctx.dead, provisioned, ctx.isolated }
