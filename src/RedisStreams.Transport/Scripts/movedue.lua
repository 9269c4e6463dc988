-- Moves due messages from the delayed set into the stream. Each message is written to the stream
-- before it leaves the set, and the whole script is atomic: many instances may run it at once
-- without duplicating or losing a message.
-- KEYS: stream, delayed set, delayed data, waiting flag
-- ARGV: doorbell channel, limit
-- Returns: moved, next due (ms, or -1), server now (ms), total lateness ms of the moved messages
local now = server_now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local moved = 0
local lateness = 0
for k = 1, #due, 2 do
  local token = due[k]
  local packed = redis.call('HGET', KEYS[3], token)
  if packed then
    local fields = cmsgpack.unpack(packed)
    redis.call('XADD', KEYS[1], '*', unpack(fields))
    moved = moved + 1
    lateness = lateness + (now - tonumber(due[k + 1]))
  end
  redis.call('HDEL', KEYS[3], token)
  redis.call('ZREM', KEYS[2], token)
end
if moved > 0 then ring(KEYS[4], ARGV[1], 'm') end
local next = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
return { moved, next[2] and tonumber(next[2]) or -1, now, lateness }
