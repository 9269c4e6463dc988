-- Empties a queue: its entries, its pending lists, its scheduled messages and the entries too large for a
-- script that wait in its oversized hash to be written. The groups stay, at the end of the (now empty)
-- stream, so running receivers carry on.
-- KEYS: stream, delayed set, delayed data, oversized
-- ARGV: group ('' for every group of the stream), must exist (0/1), group to create when the stream has none
-- Returns how many messages were removed (stream entries and oversized entries waiting to be written), or -1
-- when the queue must exist and does not.
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[4]) == 0 then
  return -1
end
local groups = {}
if ARGV[1] ~= '' then
  groups[1] = ARGV[1]
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  for _, info in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    for k = 1, #info, 2 do
      if info[k] == 'name' then groups[#groups + 1] = info[k + 1] end
    end
  end
end
local removed = redis.call('XLEN', KEYS[1]) + redis.call('HLEN', KEYS[4])
redis.call('XTRIM', KEYS[1], 'MAXLEN', 0)
-- Destroying and re-creating a group empties its pending-entries list, which XTRIM leaves dangling.
for _, group in ipairs(groups) do
  redis.pcall('XGROUP', 'DESTROY', KEYS[1], group)
  redis.call('XGROUP', 'CREATE', KEYS[1], group, '$', 'MKSTREAM')
end
if #groups == 0 then
  redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[3], '$', 'MKSTREAM')
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return removed
