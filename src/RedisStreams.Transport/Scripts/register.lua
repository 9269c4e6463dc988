-- Adds members to one topic's registry sets and returns the topic's epoch. An add that finds no epoch
-- creates it. The epoch says "this topic's registry is here": nothing ever removes it, so it vanishes or
-- changes only when Redis lost the topic's keys (a restart without persistence, a failover to an empty
-- node, FLUSHALL, deleted keys), and a client that remembers another value knows to look. Removing a
-- member needs no script (SREM).
-- KEYS: queues set, linked topics set, epoch
-- ARGV: epoch to create when none exists, number of queues n, the n queues, the topics
-- Returns: { epoch, queues added, topics added } (added: not there before, so missing until now)
local queue_count = tonumber(ARGV[2])
local added_queues, added_topics = {}, {}

for k = 3, #ARGV do
  local set, added = KEYS[2], added_topics
  if k <= 2 + queue_count then
    set, added = KEYS[1], added_queues
  end
  if redis.call('SADD', set, ARGV[k]) == 1 then
    added[#added + 1] = ARGV[k]
  end
end

local epoch = redis.call('GET', KEYS[3])
if not epoch then
  redis.call('SET', KEYS[3], ARGV[1])
  epoch = ARGV[1]
end

return { epoch, added_queues, added_topics }
