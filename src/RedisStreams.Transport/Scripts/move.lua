-- Moves entries from one stream to another, each in one step: written to the destination and removed from
-- the source together, so it is never in both and never in neither. For a dead-letter stream and its queue
-- (one hash slot), and for any two queues on a single server. Fields come packed from the caller, who
-- read the entry and decided which fault fields stay; the entry is re-checked here.
-- KEYS: source stream, destination stream, destination waiting flag
-- ARGV: destination doorbell channel, then pairs: source entry id, packed fields to write
-- Returns per pair: the new entry id, 0 when the source entry is gone, or '!' and the error
local out = {}
local moved = 0
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if not redis.call('XRANGE', KEYS[1], id, id)[1] then
    out[#out + 1] = 0
  else
    -- One entry too large for unpack() must not stop the others: it stays where it is, with the reason.
    local ok, res = pcall(function()
      return redis.call('XADD', KEYS[2], '*', unpack(cmsgpack.unpack(ARGV[i + 1])))
    end)
    if ok then
      redis.call('XDEL', KEYS[1], id)
      out[#out + 1] = res
      moved = moved + 1
    else
      out[#out + 1] = '!' .. (type(res) == 'table' and tostring(res.err) or tostring(res))
    end
  end
end
if moved > 0 then ring(KEYS[3], ARGV[1], 'm') end
return out
