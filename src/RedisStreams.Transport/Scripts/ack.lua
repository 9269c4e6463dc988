-- Acknowledges entries and, unless the queue keeps history, deletes them: memory follows the
-- backlog, not the history.
-- KEYS: stream
-- ARGV: group, delete (0/1), ids...
local acked = 0
for k = 3, #ARGV do
  acked = acked + redis.call('XACK', KEYS[1], ARGV[1], ARGV[k])
  if ARGV[2] == '1' then redis.call('XDEL', KEYS[1], ARGV[k]) end
end
return acked
