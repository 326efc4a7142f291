"""Throttle windows in Redis: three sorted sets per number, updated by one Lua script.

Keys (`redis-cli KEYS "throttle:*"`): `throttle:{sender}:hour` and `:day` hold message ids
scored by reservation time; `:recipients` holds contact ids scored by their first reach in the
moving 24 h; `:built` marks the sets as complete. A reservation is all-or-nothing per message
and happens inside the script, so any number of workers can never exceed a cap.

When Redis lost the keys (flush, restart without persistence) `:built` is missing: the script
refuses, and the caller first rebuilds the sets from the `messages` table (the source of truth),
loaded by a second script only if nobody rebuilt them meanwhile. Members are message ids, so a
message counted by the rebuild and reserved again is still counted once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property

import redis
from sqlalchemy.orm import Session

from app.pacing.throttle import DAY, HOUR, Slot, Usage, db_usage, room, usage_from_rows
from app.senders.limits import Caps

KEY_TTL_SECONDS = 25 * 3600

_RESERVE = """
if redis.call('EXISTS', KEYS[4]) == 0 then return {-1} end
local now = tonumber(ARGV[1])
local hcap, dcap, tcap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - 3600000))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - 86400000))
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - 86400000))
local h = redis.call('ZCARD', KEYS[1])
local d = redis.call('ZCARD', KEYS[2])
local t = redis.call('ZCARD', KEYS[3])
local out = {}
for i = 6, #ARGV, 2 do
  local m, r = ARGV[i], ARGV[i + 1]
  local known_h = redis.call('ZSCORE', KEYS[1], m)
  local known_d = redis.call('ZSCORE', KEYS[2], m)
  local fresh = 0
  if r ~= '' and redis.call('ZSCORE', KEYS[3], r) == false then fresh = 1 end
  local ok = (known_h or h < hcap) and (known_d or d < dcap)
  if fresh == 1 and tcap >= 0 and t >= tcap then ok = false end
  if ok then
    if not known_h then redis.call('ZADD', KEYS[1], now, m); h = h + 1 end
    if not known_d then redis.call('ZADD', KEYS[2], now, m); d = d + 1 end
    if fresh == 1 then redis.call('ZADD', KEYS[3], now, r); t = t + 1 end
    table.insert(out, m)
    table.insert(out, fresh)
  end
end
for j = 1, 4 do redis.call('EXPIRE', KEYS[j], ttl) end
return out
"""

_LOAD = """
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
local ttl, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local i = 3
for k = 1, n do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
  i = i + 2
end
while i <= #ARGV do
  redis.call('ZADD', KEYS[3], 'NX', ARGV[i + 1], ARGV[i])
  i = i + 2
end
redis.call('SET', KEYS[4], '1', 'EX', ttl)
for j = 1, 3 do redis.call('EXPIRE', KEYS[j], ttl) end
return 1
"""

_RELEASE = """
for i = 1, #ARGV, 2 do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
  if ARGV[i + 1] ~= '' then redis.call('ZREM', KEYS[3], ARGV[i + 1]) end
end
return 1
"""


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _at(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def keys(sender_id: int) -> list[str]:
    base = f"throttle:{sender_id}"
    return [f"{base}:hour", f"{base}:day", f"{base}:recipients", f"{base}:built"]


class RedisThrottle:
    locks_at_claim = False

    def __init__(self, url: str) -> None:
        self.url = url

    @cached_property
    def client(self) -> redis.Redis:
        # redis-py's pool notices a fork (pid check) and reconnects in the child.
        return redis.Redis.from_url(self.url, socket_timeout=10, health_check_interval=30)

    @cached_property
    def _scripts(self):  # type: ignore[no-untyped-def]
        c = self.client
        return c.register_script(_RESERVE), c.register_script(_LOAD), c.register_script(_RELEASE)

    # --- rebuild from the database -----------------------------------------------------
    def rebuild(self, *, db: Session, sender_id: int, now: datetime) -> bool:
        """Load the windows from `messages` unless they exist; True when this call loaded."""
        if self.client.exists(keys(sender_id)[3]):
            return False
        rows = db_usage(db=db, sender_id=sender_id, now=now)
        first_reach: dict[int, datetime] = {}
        args: list[str | int] = [KEY_TTL_SECONDS, len(rows)]
        for message_id, contact_id, stamp in rows:
            args += [str(message_id), _ms(stamp)]
            first_reach.setdefault(contact_id, stamp)
        for contact_id, stamp in first_reach.items():
            args += [str(contact_id), _ms(stamp)]
        return bool(self._scripts[1](keys=keys(sender_id), args=args))

    def _ensure(self, *, db: Session, sender_id: int, now: datetime) -> None:
        if not self.client.exists(keys(sender_id)[3]):
            self.rebuild(db=db, sender_id=sender_id, now=now)

    # --- ThrottleStore -----------------------------------------------------------------
    def claim_room(self, *, db: Session, sender_id: int, caps: Caps, now: datetime) -> int:
        self._ensure(db=db, sender_id=sender_id, now=now)
        k = keys(sender_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.zcount(k[0], _ms(now - HOUR), "+inf")
        pipe.zcount(k[1], _ms(now - DAY), "+inf")
        pipe.zcount(k[2], _ms(now - DAY), "+inf")
        hour, day, recipients = pipe.execute()
        marker = now  # only the lengths matter for room()
        return room(Usage([marker] * hour, [marker] * day, [marker] * recipients), caps)

    def reserve(
        self, *, db: Session, sender_id: int, caps: Caps, slots: list[Slot], now: datetime
    ) -> dict[int, bool]:
        if not slots:
            return {}
        args: list[str | int] = [
            _ms(now),
            caps.hourly,
            caps.daily,
            -1 if caps.tier_cap is None else caps.tier_cap,
            KEY_TTL_SECONDS,
        ]
        for slot in slots:
            args += [str(slot.message_id), str(slot.contact_id) if slot.new_recipient else ""]
        for _ in range(3):
            out = self._scripts[0](keys=keys(sender_id), args=args)
            if out and out[0] == -1:
                self.rebuild(db=db, sender_id=sender_id, now=now)
                continue
            return {int(out[i]): bool(int(out[i + 1])) for i in range(0, len(out), 2)}
        raise RuntimeError(f"throttle windows of sender {sender_id} keep disappearing")

    def release(self, *, sender_id: int, slots: list[Slot], granted: dict[int, bool]) -> None:
        args: list[str] = []
        for slot in slots:
            if slot.message_id in granted:
                fresh = granted[slot.message_id]
                args += [str(slot.message_id), str(slot.contact_id) if fresh else ""]
        if args:
            self._scripts[2](keys=keys(sender_id), args=args)

    def usage(self, *, db: Session, sender_id: int, now: datetime) -> Usage:
        self._ensure(db=db, sender_id=sender_id, now=now)
        k = keys(sender_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.zrangebyscore(k[0], _ms(now - HOUR), "+inf", withscores=True)
        pipe.zrangebyscore(k[1], _ms(now - DAY), "+inf", withscores=True)
        pipe.zrangebyscore(k[2], _ms(now - DAY), "+inf", withscores=True)
        hour, day, recipients = pipe.execute()
        return Usage(
            hour=[_at(s) for _, s in hour],
            day=[_at(s) for _, s in day],
            recipients=[_at(s) for _, s in recipients],
        )


__all__ = ["RedisThrottle", "keys", "usage_from_rows"]
