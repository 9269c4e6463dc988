-- Moves an entry of the oversized hash whose packed fields a client could not read to the dead-letter
-- stream, as its raw bytes, in one step.
-- KEYS: oversized, dead-letter stream
-- ARGV: key in the oversized hash, reason
-- Returns: 1 when it was still there
local packed = redis.call('HGET', KEYS[1], ARGV[1])
if not packed then return 0 end
dead_letter_raw(KEYS[2], packed, ARGV[2], ARGV[1], server_now_ms())
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
