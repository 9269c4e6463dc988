-- Step 2 of a redrive between hash slots (see docs/decisions.md): writes parked messages to their
-- destination, unless this destination's marker set says the move already wrote them (a resumed run, or
-- two runs racing), and records the marker in the same step. Markers older than the retention go. A message
-- with more field values than a script may write goes, still packed, into the destination's oversized hash
-- instead, with its marker in the same step; the client writes it to the stream from there.
-- KEYS: destination stream, destination waiting flag, marker set, destination oversized hash
-- ARGV: doorbell channel, marker retention (ms), then pairs: move id, packed fields
-- Returns per pair: the new entry id, 0 when an earlier run wrote it, '!' and the error, or { key } when the
-- message was staged in the destination's oversized hash under that key
local now = server_now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - tonumber(ARGV[2])))
local out = {}
local written = 0
for i = 3, #ARGV, 2 do
  local move = ARGV[i]
  if redis.call('ZSCORE', KEYS[3], move) then
    out[#out + 1] = 0
  else
    local ok, res = pcall(write_packed, KEYS[1], KEYS[4], 'redrive-' .. move, ARGV[i + 1])
    if ok then
      redis.call('ZADD', KEYS[3], now, move)
      out[#out + 1] = res
      if type(res) ~= 'table' then written = written + 1 end
    else
      out[#out + 1] = '!' .. error_text(res)
    end
  end
end
if written > 0 then ring(KEYS[2], ARGV[1], 'm') end
return out
