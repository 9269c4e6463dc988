-- Shared helpers, prepended to every script. Every key a script touches belongs to one queue and
-- carries that queue's hash tag, so each script runs in one cluster slot.

local function server_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function entry_ms(id)
  return tonumber(string.match(id, '^(%d+)'))
end

local function field_value(fields, name)
  for k = 1, #fields, 2 do
    if fields[k] == name then return fields[k + 1] end
  end
  return nil
end

-- Rings the doorbell when a receiver is idle-waiting on the queue. The flag is consumed, so a busy
-- queue costs no Pub/Sub traffic at all.
local function ring(waiting_key, channel, what)
  if redis.call('DEL', waiting_key) == 1 then
    redis.call('PUBLISH', channel, what)
  end
end

-- Creates the group (and the stream) when it is missing. Entries written before the group existed are
-- delivered: senders never provision their destinations.
local function provision(stream, group)
  local ok = redis.pcall('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
  if type(ok) == 'table' and ok.err and not string.find(ok.err, 'BUSYGROUP') then
    error(ok.err)
  end
end

local function is_nogroup(reply)
  return type(reply) == 'table' and reply.err ~= nil and string.find(reply.err, 'NOGROUP') ~= nil
end

local function settle(stream, group, id, delete)
  redis.call('XACK', stream, group, id)
  if delete == '1' then redis.call('XDEL', stream, id) end
end

-- Copies an entry to the dead-letter stream with the reason in its fields, then removes it from the
-- queue, in one step: it cannot be lost between the two, nor kept in both.
local function dead_letter(stream, dlq, group, id, fields, reason, deliveries, now, delete)
  local args = { dlq, '*' }
  for k = 1, #fields, 2 do
    if string.sub(fields[k], 1, 13) ~= '$dead-letter-' then
      args[#args + 1] = fields[k]
      args[#args + 1] = fields[k + 1]
    end
  end
  args[#args + 1] = '$dead-letter-reason'; args[#args + 1] = reason
  args[#args + 1] = '$dead-letter-time'; args[#args + 1] = tostring(now)
  args[#args + 1] = '$dead-letter-group'; args[#args + 1] = group
  args[#args + 1] = '$dead-letter-entry-id'; args[#args + 1] = id
  args[#args + 1] = '$dead-letter-delivery-count'; args[#args + 1] = tostring(deliveries)
  redis.call('XADD', unpack(args))
  settle(stream, group, id, delete)
end

-- Decides what happens to an entry about to be handed to a consumer: expired entries are dropped,
-- entries delivered more often than allowed are dead-lettered, the rest go out.
local function admit(ctx, id, fields, deliveries)
  local ttl = field_value(fields, '$ttl')
  if ttl and tonumber(ttl) and entry_ms(id) + tonumber(ttl) <= ctx.now then
    settle(ctx.stream, ctx.group, id, ctx.delete)
    ctx.expired = ctx.expired + 1
    return
  end
  if ctx.max_deliveries > 0 and deliveries > ctx.max_deliveries then
    dead_letter(ctx.stream, ctx.dlq, ctx.group, id, fields,
      'delivered ' .. deliveries .. ' times, more than the limit of ' .. ctx.max_deliveries ..
      ' (the consumer kept crashing or giving the message back)', deliveries, ctx.now, ctx.delete)
    ctx.dead = ctx.dead + 1
    return
  end
  ctx.out[#ctx.out + 1] = { id, fields, deliveries }
end

local function pending_deliveries(stream, group, id)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  if p[1] then return tonumber(p[1][4]) end
  return 0
end
