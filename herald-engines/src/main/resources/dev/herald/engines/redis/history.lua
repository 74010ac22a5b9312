-- Read a channel's position and publications in one step (RedisBroker.history), so the top offset and the items
-- agree. KEYS[1] stream, KEYS[2] meta hash (s = top offset, e = epoch).
-- ARGV[1] epoch to use if the stream has none, ARGV[2] meta TTL ms to set (0 = leave as is), ARGV[3] limit
-- (0 = position only, negative = all), ARGV[4] '1' for newest first, ARGV[5] the range's near end as an offset
-- ('' = from the start, or the end when reversed).
-- Returns {top, epoch, id1, publication1, id2, publication2, ...}.
local epoch = redis.call('hget', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('hset', KEYS[2], 'e', epoch)
  redis.call('del', KEYS[1])
end
if tonumber(ARGV[2]) > 0 then
  redis.call('pexpire', KEYS[2], ARGV[2])
end
local out = {tonumber(redis.call('hget', KEYS[2], 's') or '0'), epoch}
local limit = tonumber(ARGV[3])
if limit == 0 then
  return out
end
local entries
if ARGV[4] == '1' then
  local from = ARGV[5] ~= '' and ARGV[5] or '+'
  if limit > 0 then
    entries = redis.call('xrevrange', KEYS[1], from, '-', 'COUNT', limit)
  else
    entries = redis.call('xrevrange', KEYS[1], from, '-')
  end
else
  local from = ARGV[5] ~= '' and ARGV[5] or '-'
  if limit > 0 then
    entries = redis.call('xrange', KEYS[1], from, '+', 'COUNT', limit)
  else
    entries = redis.call('xrange', KEYS[1], from, '+')
  end
end
for _, entry in ipairs(entries) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return out
