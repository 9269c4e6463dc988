-- Empties a queue: its entries, its pending lists and its scheduled messages. The group stays, at
-- the end of the (now empty) stream, so running receivers carry on.
-- KEYS: stream, delayed set, delayed data, oversized
-- ARGV: group
local removed = redis.call('XLEN', KEYS[1])
redis.call('XTRIM', KEYS[1], 'MAXLEN', 0)
local ok = redis.pcall('XGROUP', 'DESTROY', KEYS[1], ARGV[1])
redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '$', 'MKSTREAM')
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return removed
