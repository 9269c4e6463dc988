-- Resets the idle time of entries this consumer still holds, so they are not reclaimed while a
-- handler works on them. The others are reported by what happened to them: another consumer holds them
-- now, they are no longer in the stream (trimmed or deleted: nobody took them), or they are still in the
-- stream but no longer pending (acknowledged by someone else, or the group was re-created).
-- KEYS: stream
-- ARGV: group, consumer, ids...
-- Returns: ids another consumer holds, ids no longer in the stream, ids no longer pending
local mine, taken, gone, settled = {}, {}, {}, {}
for k = 3, #ARGV do
  local id = ARGV[k]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if p[1] then
    if p[1][2] == ARGV[2] then mine[#mine + 1] = id else taken[#taken + 1] = id end
  elseif redis.call('XRANGE', KEYS[1], id, id)[1] then
    settled[#settled + 1] = id
  else
    gone[#gone + 1] = id
  end
end
-- XCLAIM drops entries deleted from the stream (XDEL, XTRIM) from the pending list and leaves them out of
-- its reply: those are gone too.
local renewed = {}
for _, id in ipairs(call_chunked({ 'XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0 }, mine, { 'JUSTID' })) do
  renewed[id] = true
end
for _, id in ipairs(mine) do
  if not renewed[id] then gone[#gone + 1] = id end
end
return { taken, gone, settled }
