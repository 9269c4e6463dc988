-- Adds members to one topic's registry sets, or removes them, and returns the topic's epoch. An add that
-- finds no epoch creates it. The epoch says "this topic's registry is here": nothing ever removes it, so it
-- vanishes or changes only when Redis lost the topic's keys (a restart without persistence, a failover to
-- an empty node, FLUSHALL, deleted keys), and a client that remembers another value knows to look.
-- KEYS: queues set, linked topics set, epoch
-- ARGV: 'add' or 'remove', epoch to create when none exists, number of queues n, the n queues, the topics
-- Returns: { epoch or nil, queues added, topics added } (added: not there before, so missing until now)
local add = ARGV[1] == 'add'
local queue_count = tonumber(ARGV[3])
local added_queues, added_topics = {}, {}

for k = 4, #ARGV do
  local set, added = KEYS[2], added_topics
  if k <= 3 + queue_count then
    set, added = KEYS[1], added_queues
  end
  if add then
    if redis.call('SADD', set, ARGV[k]) == 1 then
      added[#added + 1] = ARGV[k]
    end
  else
    redis.call('SREM', set, ARGV[k])
  end
end

local epoch = redis.call('GET', KEYS[3])
if not epoch and add then
  redis.call('SET', KEYS[3], ARGV[2])
  epoch = ARGV[2]
end

return { epoch, added_queues, added_topics }
