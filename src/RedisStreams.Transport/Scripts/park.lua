-- Step 1 of a redrive between hash slots (see docs/decisions.md): takes each entry out of the source
-- stream into the source queue's redrive hash, in one step, so it is never in neither place. Steps 2 and 3
-- write it to its destination (de-duplicated there) and then remove it from the hash.
-- KEYS: source stream, redrive hash
-- ARGV: quadruples: source entry id, move id, destination queue, packed fields to write
-- Returns per entry: 1 parked, 0 when the source entry is gone
local now = server_now_ms()
local out = {}
for i = 1, #ARGV, 4 do
  local id = ARGV[i]
  if not redis.call('XRANGE', KEYS[1], id, id)[1] then
    out[#out + 1] = 0
  else
    redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 3], ARGV[i + 1] .. ':meta', now .. ' ' .. id .. ' ' .. ARGV[i + 2])
    redis.call('XDEL', KEYS[1], id)
    out[#out + 1] = 1
  end
end
return out
