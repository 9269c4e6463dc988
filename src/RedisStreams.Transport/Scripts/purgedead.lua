-- Empties a queue's dead-letter stream and says how many entries it held.
-- KEYS: dead-letter stream
local removed = redis.call('XLEN', KEYS[1])
redis.call('DEL', KEYS[1])
return removed
