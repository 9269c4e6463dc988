-- Resets the idle time of entries this consumer still holds, so they are not reclaimed while a
-- handler works on them. Entries another consumer took over are left alone and reported.
-- KEYS: stream
-- ARGV: group, consumer, ids...
local mine = {}
local lost = {}
for k = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[k], ARGV[k], 1, ARGV[2])
  if p[1] then mine[#mine + 1] = ARGV[k] else lost[#lost + 1] = ARGV[k] end
end
if #mine > 0 then
  -- unpack() expands fully only as the last argument, so JUSTID goes into the table.
  mine[#mine + 1] = 'JUSTID'
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(mine))
end
return lost
