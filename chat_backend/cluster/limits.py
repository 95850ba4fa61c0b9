"""Token buckets shared by the nodes, in Redis: new chats, offline messages and transcript mails per IP
and per site (`SocketLimits.shared`).

One Lua script takes from every bucket of a request or from none, on Redis's clock (the nodes' clocks
may differ); a bucket's key expires once it would have refilled. While Redis is unreachable the request
counts on its node instead (`SharedBucketsDown`)."""

from __future__ import annotations

import math

from redis.exceptions import RedisError

from chat_backend.cluster.bus import Bus
from chat_backend.realtime.rate_limit import SharedBucket, SharedBucketsDown

# KEYS: the buckets. ARGV: cost, then capacity and rate per bucket. Returns the wait in seconds, as text
# ("0": taken).
_TAKE_ALL = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local cost = tonumber(ARGV[1])
local wait = 0
local states = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local stored = redis.call('HMGET', key, 'tokens', 'stamp')
  local tokens = tonumber(stored[1]) or capacity
  local stamp = tonumber(stored[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate)
  local take = math.min(cost, capacity)
  if tokens < take then
    local needed = 3600
    if rate > 0 then needed = (take - tokens) / rate end
    if needed > wait then wait = needed end
  end
  states[i] = {tokens - take, capacity, rate}
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local state = states[i]
  redis.call('HSET', key, 'tokens', tostring(state[1]), 'stamp', tostring(now))
  local refill = 3600
  if state[3] > 0 then refill = math.ceil(state[2] / state[3]) + 1 end
  redis.call('EXPIRE', key, refill)
end
return '0'
"""


class RedisBuckets:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._script = bus.redis.register_script(_TAKE_ALL)

    async def take_all(self, buckets: list[SharedBucket], cost: float = 1) -> float | None:
        if not self.bus.connected:
            raise SharedBucketsDown
        keys = [f"{self.bus.prefix}limit:{name}" for name, _capacity, _rate in buckets]
        args: list[float] = [cost]
        for _name, capacity, rate in buckets:
            args += [capacity, rate]
        try:
            reply = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            self.bus.trouble(exc)
            raise SharedBucketsDown from exc
        wait = float(reply.decode() if isinstance(reply, bytes) else reply)
        return wait if wait > 0 and math.isfinite(wait) else None
