-- Publish without history under an idempotency key (RedisBroker.publish).
-- KEYS[1] idempotency result <prefix>.result.<ch>.<key>; ARGV[1] PUB/SUB channel, ARGV[2] whole broker message,
-- ARGV[3] result TTL ms. Returns {1} when published, {0} when an earlier publish with the key did.
if redis.call('set', KEYS[1], '0:', 'NX', 'PX', ARGV[3]) then
  redis.call('publish', ARGV[1], ARGV[2])
  return {1}
end
return {0}
