-- KEYS: stream, waiting flag
-- ARGV: doorbell channel, then per message: field count, fields...
-- Returns the new entry ids.
-- Messages with more field values than a script may write never come here (the client writes them itself);
-- checked before anything is written, so a refused call writes nothing.
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  if n > MAX_SCRIPT_FIELDS then
    error('a message of ' .. n .. ' field values is more than a script may write (' .. MAX_SCRIPT_FIELDS .. ')')
  end
  i = i + n + 1
end
local ids = {}
i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local args = { 'XADD', KEYS[1], '*' }
  for j = 1, n do args[j + 3] = ARGV[i + j] end
  ids[#ids + 1] = redis.call(unpack(args))
  i = i + n + 1
end
ring(KEYS[2], ARGV[1], 'm')
return ids
