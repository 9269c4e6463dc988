-- Moves entries from one stream to another, each in one step: written to the destination and removed from
-- the source together, so it is never in both and never in neither. For a dead-letter stream and its queue
-- (one hash slot), and for any two queues on a single server. Fields come packed from the caller, who
-- read the entry and decided which fault fields stay; the entry is re-checked here. An entry with more field
-- values than a script may write goes, still packed, into the destination's oversized hash instead, in the same
-- step as its removal; the client writes it to the stream from there (Wire/OversizedEntries.cs).
-- KEYS: source stream, destination stream, destination waiting flag, destination oversized hash
-- ARGV: destination doorbell channel, then pairs: source entry id, packed fields to write
-- Returns per pair: the new entry id, 0 when the source entry is gone, '!' and the error, or { key } when the
-- entry was staged in the destination's oversized hash under that key
local out = {}
local moved = 0
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if not redis.call('XRANGE', KEYS[1], id, id)[1] then
    out[#out + 1] = 0
  else
    -- One entry that cannot be written must not stop the others: it stays where it is, with the reason.
    local ok, res = pcall(write_packed, KEYS[2], KEYS[4], 'redrive-' .. id, ARGV[i + 1])
    if ok then
      redis.call('XDEL', KEYS[1], id)
      out[#out + 1] = res
      if type(res) ~= 'table' then moved = moved + 1 end
    else
      out[#out + 1] = '!' .. error_text(res)
    end
  end
end
if moved > 0 then ring(KEYS[3], ARGV[1], 'm') end
return out
