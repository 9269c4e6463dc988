-- Gives entries back to the queue at once: they move to the "returned" consumer, whose entries every
-- receiver takes before new ones. A handed-out entry keeps its delivery count; an entry that only sat in
-- a receiver's buffer gets the count it had before (its delivery never reached a handler). Entries
-- another consumer took over meanwhile are left alone.
-- KEYS: stream, waiting flag
-- ARGV: group, consumer, returned consumer, doorbell channel, then pairs: id, delivery count to restore (-1 = keep)
local keep = {}
local moved = 0
for k = 5, #ARGV, 2 do
  local id, restore = ARGV[k], tonumber(ARGV[k + 1])
  local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[2])
  if type(p) == 'table' and not p.err and p[1] then
    moved = moved + 1
    if restore < 0 then
      keep[#keep + 1] = id
    else
      redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, id, 'RETRYCOUNT', restore, 'JUSTID')
    end
  end
end
call_chunked({ 'XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0 }, keep, { 'JUSTID' })
if moved > 0 then ring(KEYS[2], ARGV[4], 'm') end
return moved
