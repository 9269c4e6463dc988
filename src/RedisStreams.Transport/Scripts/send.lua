-- KEYS: stream, waiting flag
-- ARGV: doorbell channel, then per message: field count, fields...
-- Returns the new entry ids.
local ids = {}
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local args = { KEYS[1], '*' }
  for j = 1, n do args[j + 2] = ARGV[i + j] end
  ids[#ids + 1] = redis.call('XADD', unpack(args))
  i = i + n + 1
end
ring(KEYS[2], ARGV[1], 'm')
return ids
