-- Publish into a channel with history, atomically (RedisBroker.publish).
-- KEYS[1] stream <prefix>.stream.<ch>, KEYS[2] meta hash <prefix>.stream.meta.<ch> (field s = top offset,
-- field e = epoch), KEYS[3] (optional) idempotency result <prefix>.result.<ch>.<key>.
-- ARGV[1] PUB/SUB channel (empty: store only, the caller sends the message another way, e.g. over NATS), ARGV[2] encoded publication, ARGV[3] history size, ARGV[4] stream TTL ms,
-- ARGV[5] meta TTL ms (0 = none), ARGV[6] epoch to use if the stream has none, ARGV[7] result TTL ms,
-- ARGV[8] message kind.
-- Returns {offset, epoch, 1 if an earlier publish with the same key answered}.
if KEYS[3] then
  local stored = redis.call('get', KEYS[3])
  if stored then
    local sep = string.find(stored, ':', 1, true)
    return {tonumber(string.sub(stored, 1, sep - 1)), string.sub(stored, sep + 1), 1}
  end
end
local epoch = redis.call('hget', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[6]
  redis.call('hset', KEYS[2], 'e', epoch)
  -- Entries left from a lost position belong to the old epoch; their ids would clash with the new offsets.
  redis.call('del', KEYS[1])
end
local top = redis.call('hincrby', KEYS[2], 's', 1)
-- The entry id is the offset (<offset>-0), so readers range over offsets directly.
redis.call('xadd', KEYS[1], 'MAXLEN', ARGV[3], top, 'd', ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[4])
if tonumber(ARGV[5]) > 0 then
  redis.call('pexpire', KEYS[2], ARGV[5])
end
if ARGV[1] ~= '' then
  redis.call('publish', ARGV[1], ARGV[8] .. top .. ':' .. epoch .. ':' .. ARGV[2])
end
if KEYS[3] then
  redis.call('set', KEYS[3], top .. ':' .. epoch, 'PX', ARGV[7])
end
return {top, epoch, 0}
