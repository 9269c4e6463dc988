-- Moves one held entry to the dead-letter stream with a reason, atomically with its removal.
-- KEYS: stream, dead-letter stream
-- ARGV: group, id, reason, delivery count, delete (0/1)
local range = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if not range[1] then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
dead_letter(KEYS[1], KEYS[2], ARGV[1], ARGV[2], range[1][2], ARGV[3], tonumber(ARGV[4]), server_now_ms(), ARGV[5])
return 1
