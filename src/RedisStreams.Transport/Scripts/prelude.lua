-- Shared helpers, prepended to every script. Every key a script touches belongs to one queue and
-- carries that queue's hash tag, so each script runs in one cluster slot.

-- Redis 7.0's Lua returns at most 7,999 values from unpack() and fails with "too many results to unpack" at
-- 8,000 (measured; docs/decisions.md), and unpack() is the only way to pass a list to redis.call. So lists of
-- ids go to Redis in chunks of IDS_PER_CALL, and no script ever writes an entry of more than
-- MAX_SCRIPT_FIELDS field values: such entries travel packed (MessagePack) in one value and a client writes
-- them (Wire/OversizedEntries.cs, which holds the same two numbers).
local IDS_PER_CALL = 1000
local MAX_SCRIPT_FIELDS = 7000

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

-- Runs a command once per chunk of ids, with fixed arguments before and after them; returns every reply's
-- elements in order.
local function call_chunked(head, ids, tail)
  local replies = {}
  for first = 1, #ids, IDS_PER_CALL do
    local args = {}
    for k = 1, #head do args[#args + 1] = head[k] end
    for k = first, math.min(first + IDS_PER_CALL - 1, #ids) do args[#args + 1] = ids[k] end
    for k = 1, #tail do args[#args + 1] = tail[k] end
    local reply = redis.call(unpack(args))
    for k = 1, #reply do replies[#replies + 1] = reply[k] end
  end
  return replies
end

-- The text of an error raised by redis.call (a table) or by error() (a string).
local function error_text(err)
  if type(err) == 'table' and err.err then return tostring(err.err) end
  return tostring(err)
end

-- An entry's fields without the transport's dead-letter fields: what goes back to a queue.
local function message_fields(fields)
  local kept = {}
  for k = 1, #fields, 2 do
    if string.sub(fields[k], 1, 13) ~= '$dead-letter-' then
      kept[#kept + 1] = fields[k]
      kept[#kept + 1] = fields[k + 1]
    end
  end
  return kept
end

-- The element count of a packed field list, read from its MessagePack array header without decoding it;
-- nil when the payload does not start with an array header.
local function packed_length(packed)
  local b = string.byte(packed, 1)
  if b == nil then return nil end
  if b >= 0x90 and b <= 0x9f then return b - 0x90 end
  if b == 0xdc and #packed >= 3 then
    local b1, b2 = string.byte(packed, 2, 3)
    return b1 * 256 + b2
  end
  if b == 0xdd and #packed >= 5 then
    local b1, b2, b3, b4 = string.byte(packed, 2, 5)
    return ((b1 * 256 + b2) * 256 + b3) * 256 + b4
  end
  return nil
end

-- Unpacks a packed field list; nil and what is wrong with it when it is not a list of field/value strings.
local function unpack_fields(packed)
  local ok, fields = pcall(cmsgpack.unpack, packed)
  if not ok then return nil, 'is not MessagePack (' .. error_text(fields) .. ')' end
  if type(fields) ~= 'table' then return nil, 'is not a MessagePack array' end
  if #fields == 0 or #fields % 2 == 1 then return nil, 'holds ' .. #fields .. ' values, not field/value pairs' end
  for k = 1, #fields do
    if type(fields[k]) ~= 'string' then return nil, 'holds a value that is not a string' end
  end
  return fields
end

-- Keeps a packed entry for a client to write (it has too many fields for a script) under a key of the
-- oversized hash that nothing else uses; returns that key.
local function stage(oversized, token, packed)
  local key = token
  local n = 0
  while redis.call('HSETNX', oversized, key, packed) == 0 do
    n = n + 1
    key = token .. '#' .. n
  end
  return key
end

-- Writes a packed field list as a new entry of a stream or, when it holds more field values than a script may
-- write, keeps it in the oversized hash under a fresh key for a client to write (never unpacking it). Returns
-- the new entry id, or { staged key }. Raises an error, having written nothing, when the list cannot be read.
local function write_packed(stream, oversized, token, packed)
  local count = packed_length(packed)
  if count and count > MAX_SCRIPT_FIELDS then
    return { stage(oversized, token, packed) }
  end
  local fields, wrong = unpack_fields(packed)
  if not fields then error('the packed fields ' .. wrong) end
  local args = { 'XADD', stream, '*' }
  for k = 1, #fields do args[#args + 1] = fields[k] end
  return redis.call(unpack(args))
end

-- Appends an entry's fields to an XADD argument list, or, when there are more than a script may write, one
-- field holding all of them packed.
local function append_fields(args, fields)
  if #fields > MAX_SCRIPT_FIELDS then
    args[#args + 1] = '$dead-letter-fields'
    args[#args + 1] = cmsgpack.pack(fields)
  else
    for k = 1, #fields do args[#args + 1] = fields[k] end
  end
end

-- Dead-letters a payload nobody can read, as its raw bytes in $dead-letter-payload (requeue leaves it in place).
local function dead_letter_raw(dlq, packed, reason, token, now)
  redis.call('XADD', dlq, '*', '$dead-letter-payload', packed, '$dead-letter-reason', reason,
    '$dead-letter-time', tostring(now), '$dead-letter-token', token)
end

-- Dead-letters a scheduled message by its packed payload: as fields when they can be read (packed again
-- when there are too many to copy one by one), raw when they cannot.
local function dead_letter_payload(dlq, packed, reason, token, now)
  local args = { 'XADD', dlq, '*' }
  local count = packed_length(packed)
  if count and count > MAX_SCRIPT_FIELDS then
    args[#args + 1] = '$dead-letter-fields'
    args[#args + 1] = packed
  else
    local fields, wrong = unpack_fields(packed)
    if not fields then
      dead_letter_raw(dlq, packed, reason .. '; its payload ' .. wrong, token, now)
      return
    end
    append_fields(args, message_fields(fields))
  end
  args[#args + 1] = '$dead-letter-reason'; args[#args + 1] = reason
  args[#args + 1] = '$dead-letter-time'; args[#args + 1] = tostring(now)
  args[#args + 1] = '$dead-letter-token'; args[#args + 1] = token
  redis.call(unpack(args))
end

local function is_nogroup(reply)
  return type(reply) == 'table' and reply.err ~= nil and string.find(reply.err, 'NOGROUP') ~= nil
end

local function settle(stream, group, id, delete)
  redis.call('XACK', stream, group, id)
  if delete == '1' then redis.call('XDEL', stream, id) end
end

-- Copies an entry to the dead-letter stream with the reason in its fields, then removes it from the
-- queue, in one step: it cannot be lost between the two, nor kept in both. An entry with more fields than a
-- script may write keeps them packed in one field, $dead-letter-fields.
local function dead_letter(stream, dlq, group, id, fields, reason, deliveries, now, delete)
  local args = { 'XADD', dlq, '*' }
  append_fields(args, message_fields(fields))
  args[#args + 1] = '$dead-letter-reason'; args[#args + 1] = reason
  args[#args + 1] = '$dead-letter-time'; args[#args + 1] = tostring(now)
  args[#args + 1] = '$dead-letter-group'; args[#args + 1] = group
  args[#args + 1] = '$dead-letter-entry-id'; args[#args + 1] = id
  args[#args + 1] = '$dead-letter-delivery-count'; args[#args + 1] = tostring(deliveries)
  redis.call(unpack(args))
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

-- Admits one entry; if that fails for any reason, the entry stays pending under this consumer, unrenewed, so
-- it is reclaimed after the idle time with its count one higher, and the reason goes back to the client to
-- log. One entry never fails the batch it came in.
local function admit_isolated(ctx, id, fields, deliveries)
  local ok, err = pcall(admit, ctx, id, fields, deliveries)
  if not ok then
    ctx.isolated[#ctx.isolated + 1] = { id, error_text(err) }
  end
end

local function pending_deliveries(stream, group, id)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  if p[1] then return tonumber(p[1][4]) end
  return 0
end
