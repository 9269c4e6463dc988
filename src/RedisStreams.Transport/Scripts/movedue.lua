-- Moves due messages from the delayed set into the stream. Each message is written to the stream
-- before it leaves the set, and the whole script is atomic: many instances may run it at once
-- without duplicating or losing a message. A message with more fields than a script may write moves to the
-- oversized hash instead, in the same step, and the client writes it to the stream from there; a payload that
-- cannot be read goes to the dead-letter stream with its raw bytes; a due token without a payload is removed
-- and reported.
-- KEYS: stream, delayed set, delayed data, waiting flag, oversized, dead-letter stream
-- ARGV: doorbell channel, limit
-- Returns: moved, next due (ms, or -1), server now (ms), total lateness ms of the moved messages, keys
-- staged in the oversized hash, due tokens that had no payload, tokens dead-lettered as unreadable, entries
-- waiting in the oversized hash, 1 when the delayed data holds more payloads than the set holds tokens
local now = server_now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local moved = 0
local lateness = 0
local staged, missing, unreadable = {}, {}, {}
for k = 1, #due, 2 do
  local token = due[k]
  local packed = redis.call('HGET', KEYS[3], token)
  if not packed then
    missing[#missing + 1] = token
  else
    local count = packed_length(packed)
    if count and count > MAX_SCRIPT_FIELDS then
      staged[#staged + 1] = stage(KEYS[5], token, packed)
    else
      local fields = unpack_fields(packed)
      if fields then
        local args = { 'XADD', KEYS[1], '*' }
        for f = 1, #fields do args[#args + 1] = fields[f] end
        redis.call(unpack(args))
        moved = moved + 1
        lateness = lateness + (now - tonumber(due[k + 1]))
      else
        dead_letter_payload(KEYS[6], packed, 'scheduled message ' .. token .. ' cannot be delivered', token, now)
        unreadable[#unreadable + 1] = token
      end
    end
  end
  redis.call('HDEL', KEYS[3], token)
  redis.call('ZREM', KEYS[2], token)
end
if moved > 0 then ring(KEYS[4], ARGV[1], 'm') end
local next = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local orphans = redis.call('HLEN', KEYS[3]) > redis.call('ZCARD', KEYS[2]) and 1 or 0
return { moved, next[2] and tonumber(next[2]) or -1, now, lateness, staged, missing, unreadable,
  redis.call('HLEN', KEYS[5]), orphans }
