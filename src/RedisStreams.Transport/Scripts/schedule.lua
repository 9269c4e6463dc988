-- Stores messages for later delivery, scored by due time on the server's clock. When a message is
-- due earlier than everything already waiting, receivers are told to re-plan their mover.
-- KEYS: delayed set, delayed data
-- ARGV: doorbell channel, then per message: delay ms, token, packed fields
local now = server_now_ms()
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest = nil
for i = 2, #ARGV, 3 do
  local due = now + tonumber(ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  redis.call('ZADD', KEYS[1], due, ARGV[i + 1])
  if earliest == nil or due < earliest then earliest = due end
end
if earliest and (first[2] == nil or earliest < tonumber(first[2])) then
  redis.call('PUBLISH', ARGV[1], 'd')
end
return now
