-- The age of a group's oldest pending entry on the server's clock: its id carries Redis's time when it
-- entered the stream, and TIME is the same clock, so no client clock is involved.
-- KEYS: stream
-- ARGV: group
-- Returns: age in ms (0 for an id stamped ahead of the clock), or -1 when nothing is pending
local summary = redis.call('XPENDING', KEYS[1], ARGV[1])
if not summary[2] then return -1 end
return math.max(0, server_now_ms() - entry_ms(summary[2]))
