-- Cancels a scheduled message that is not yet due. Returns 1 when it was still waiting.
-- KEYS: delayed set, delayed data
-- ARGV: token
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
