-- Moves entries from the dead-letter stream back to their queue, without the dead-letter fields.
-- KEYS: stream, dead-letter stream, waiting flag
-- ARGV: doorbell channel, most entries to move
local range = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', tonumber(ARGV[2]))
for k = 1, #range do
  local fields = range[k][2]
  local args = { KEYS[1], '*' }
  for f = 1, #fields, 2 do
    if string.sub(fields[f], 1, 13) ~= '$dead-letter-' then
      args[#args + 1] = fields[f]
      args[#args + 1] = fields[f + 1]
    end
  end
  redis.call('XADD', unpack(args))
  redis.call('XDEL', KEYS[2], range[k][1])
end
if #range > 0 then ring(KEYS[3], ARGV[1], 'm') end
return #range
