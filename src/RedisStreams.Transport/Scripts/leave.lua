-- Removes consumers that hold nothing and have not been seen for a while: those of instances that
-- stopped or died. A consumer holding entries is never removed (its entries would be lost from the
-- pending list); its entries are reclaimed first and it goes on a later pass.
-- KEYS: stream
-- ARGV: group, idle ms, consumer names never to remove...
local keep = {}
for k = 3, #ARGV do keep[ARGV[k]] = true end
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return 0 end
local removed = 0
for k = 1, #consumers do
  local c = consumers[k]
  local name, pending, idle
  for f = 1, #c, 2 do
    if c[f] == 'name' then name = c[f + 1]
    elseif c[f] == 'pending' then pending = tonumber(c[f + 1])
    elseif c[f] == 'idle' then idle = tonumber(c[f + 1]) end
  end
  if name and not keep[name] and pending == 0 and idle >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed = removed + 1
  end
end
return removed
