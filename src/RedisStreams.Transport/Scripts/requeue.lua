-- Moves entries from the dead-letter stream back to their queue, without the dead-letter fields, oldest
-- first. An entry with more fields than a script may write (or whose fields were packed when it was
-- dead-lettered) is moved to the oversized hash instead, packed, in the same step; the client writes it to the
-- stream from there. Entries with nothing to put back (only dead-letter fields, or a payload that could not be
-- read) stay where they are.
-- KEYS: stream, dead-letter stream, waiting flag, oversized
-- ARGV: doorbell channel, most entries to move
-- Returns: entries written to the stream, keys of entries staged in the oversized hash, entries left in place
local max = tonumber(ARGV[2])
local moved, skipped, staged = 0, 0, {}
local start = '-'
while moved + #staged < max and skipped < max do
  local range = redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', max - moved - #staged)
  if #range == 0 then break end
  for k = 1, #range do
    local id, fields = range[k][1], range[k][2]
    local packed = field_value(fields, '$dead-letter-fields')
    local kept = message_fields(fields)
    if packed then
      staged[#staged + 1] = stage(KEYS[4], 'requeue-' .. id, packed)
      redis.call('XDEL', KEYS[2], id)
    elseif #kept == 0 then
      skipped = skipped + 1
    elseif #kept > MAX_SCRIPT_FIELDS then
      staged[#staged + 1] = stage(KEYS[4], 'requeue-' .. id, cmsgpack.pack(kept))
      redis.call('XDEL', KEYS[2], id)
    else
      local args = { 'XADD', KEYS[1], '*' }
      for f = 1, #kept do args[#args + 1] = kept[f] end
      redis.call(unpack(args))
      redis.call('XDEL', KEYS[2], id)
      moved = moved + 1
    end
  end
  start = '(' .. range[#range][1]
end
if moved > 0 then ring(KEYS[3], ARGV[1], 'm') end
return { moved, staged, skipped }
