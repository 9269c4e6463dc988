-- Finds scheduled payloads whose token is no longer in the delayed set (the set was deleted or lost): they
-- would never be due. Each goes to the dead-letter stream, with its fields, so nothing is lost and the
-- operator can requeue it. One page of the payload hash per call; costs nothing while every payload has a
-- token (the hash is no bigger than the set).
-- KEYS: delayed set, delayed data, dead-letter stream
-- ARGV: scan cursor, page size
-- Returns: next cursor ('0' when the scan is complete), payloads dead-lettered
if ARGV[1] == '0' and redis.call('HLEN', KEYS[2]) <= redis.call('ZCARD', KEYS[1]) then
  return { '0', 0 }
end
local scan = redis.call('HSCAN', KEYS[2], ARGV[1], 'COUNT', tonumber(ARGV[2]))
local items = scan[2]
local now = server_now_ms()
local orphans = 0
for k = 1, #items, 2 do
  local token, packed = items[k], items[k + 1]
  if not redis.call('ZSCORE', KEYS[1], token) then
    dead_letter_payload(KEYS[3], packed,
      'scheduled message ' .. token .. ' has no due time: its entry in the delayed set was deleted or lost', token, now)
    redis.call('HDEL', KEYS[2], token)
    orphans = orphans + 1
  end
end
return { scan[1], orphans }
