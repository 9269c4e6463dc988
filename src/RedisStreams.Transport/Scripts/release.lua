-- Gives entries back to the queue at once, keeping their delivery count: they move to the
-- "returned" consumer, whose entries every receiver takes before new ones. Entries another consumer
-- took over meanwhile are left alone.
-- KEYS: stream, waiting flag
-- ARGV: group, consumer, returned consumer, doorbell channel, ids...
local moved = {}
for k = 5, #ARGV do
  local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], ARGV[k], ARGV[k], 1, ARGV[2])
  if type(p) == 'table' and not p.err and p[1] then moved[#moved + 1] = ARGV[k] end
end
if #moved > 0 then
  -- unpack() expands fully only as the last argument, so JUSTID goes into the table.
  moved[#moved + 1] = 'JUSTID'
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, unpack(moved))
  moved[#moved] = nil
  ring(KEYS[2], ARGV[4], 'm')
end
return #moved
