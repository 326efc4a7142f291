"""Throttle windows in Redis, updated by Lua scripts (Redis >= 6.2: `ZADD GT`).

Keys (`redis-cli KEYS "throttle:*"`). Per number: `throttle:{sender}:hour` and `:day` hold
message ids scored by reservation time, `:built` marks them complete. Per business portfolio
(the number's WABA, SPEC §6: Meta's messaging limit is per portfolio; a number without a
`waba_id` has its own): `throttle:tier:{key}:recipients` holds contact ids scored by their
LATEST counted send (refreshed with `ZADD GT`, so a contact stays counted for 24 h after any
send to it), `:holders` counts the reservations holding each contact (a released slot only
drops the contact once no other slot holds it), `:built` marks them complete.

A reservation is all-or-nothing per message and happens inside one script, so any number of
workers can never exceed a cap. The script trims and stamps with Redis's own clock
(`TIME`), so clock skew between workers cannot stretch a window.

When Redis lost the keys (flush, restart without persistence) a `:built` marker is missing:
the script refuses, and the caller first rebuilds the sets from the `messages` table (the
source of truth), loaded by a second script only if nobody rebuilt them meanwhile. Members
of the number's sets are sends (`Slot.member`: the message id, `id:n` for its n-th resend after
a failed status requeued it), so a message counted by the rebuild and reserved again is still
counted once, and a resend is counted again.

Clocks: the scripts stamp with Redis `TIME`; `claim_room` and `usage` read the windows at
Redis's "now" as well and hand stamps back shifted onto the caller's clock, so a worker whose
clock runs ahead or behind never computes a "room again at" that Redis does not agree with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property

import redis
from sqlalchemy.orm import Session

from app.pacing.throttle import DAY, HOUR, Slot, Usage, db_reach, db_usage, room, usage_from_rows
from app.senders.limits import Caps

KEY_TTL_SECONDS = 25 * 3600

# KEYS: hour, day, recipients, built, holders, tier built.
# ARGV: hourly, daily, tier (-1: none), ttl, then (message id, contact id or '') per slot.
_RESERVE = """
if redis.call('EXISTS', KEYS[4]) == 0 or redis.call('EXISTS', KEYS[6]) == 0 then
  return {-1}
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local hcap, dcap, tcap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - 3600000))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - 86400000))
while true do  -- contacts last reached over 24 h ago leave the window with their holders
  local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - 86400000), 'LIMIT', 0, 500)
  if #old == 0 then break end
  redis.call('ZREM', KEYS[3], unpack(old))
  redis.call('HDEL', KEYS[5], unpack(old))
end
local h = redis.call('ZCARD', KEYS[1])
local d = redis.call('ZCARD', KEYS[2])
local t = redis.call('ZCARD', KEYS[3])
local out = {}
for i = 5, #ARGV, 2 do
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
    local held = 0
    if r ~= '' then
      redis.call('ZADD', KEYS[3], 'GT', now, r)
      if not known_d then redis.call('HINCRBY', KEYS[5], r, 1) end
      if fresh == 1 then t = t + 1 end
      held = 1
    end
    table.insert(out, m)
    table.insert(out, held)
  end
end
for j = 1, 6 do redis.call('EXPIRE', KEYS[j], ttl) end
return out
"""

# KEYS: hour, day, built. ARGV: ttl, then (message id, ms) pairs.
_LOAD = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
end
redis.call('SET', KEYS[3], '1', 'EX', ttl)
for j = 1, 2 do redis.call('EXPIRE', KEYS[j], ttl) end
return 1
"""

# KEYS: recipients, holders, tier built. ARGV: ttl, then (contact id, ms, holders) triples.
_LOAD_TIER = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local ttl = tonumber(ARGV[1])
redis.call('DEL', KEYS[1], KEYS[2])
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
end
redis.call('SET', KEYS[3], '1', 'EX', ttl)
for j = 1, 2 do redis.call('EXPIRE', KEYS[j], ttl) end
return 1
"""

# KEYS: hour, day, recipients, holders. ARGV: (message id, contact id or '') pairs.
_RELEASE = """
for i = 1, #ARGV, 2 do
  redis.call('ZREM', KEYS[1], ARGV[i])
  local held = redis.call('ZREM', KEYS[2], ARGV[i])
  local r = ARGV[i + 1]
  if r ~= '' and held == 1 then
    if redis.call('HINCRBY', KEYS[4], r, -1) <= 0 then
      redis.call('HDEL', KEYS[4], r)
      redis.call('ZREM', KEYS[3], r)
    end
  end
end
return 1
"""


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _text(value: bytes | str | int) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _at(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def tier_key(sender_id: int, portfolio: str | None) -> str:
    return f"throttle:tier:waba-{portfolio}" if portfolio else f"throttle:tier:sender-{sender_id}"


def keys(sender_id: int, portfolio: str | None = None) -> list[str]:
    """[hour, day, recipients, built, holders, tier built] (the order the scripts use)."""
    base, tier = f"throttle:{sender_id}", tier_key(sender_id, portfolio)
    return [
        f"{base}:hour",
        f"{base}:day",
        f"{tier}:recipients",
        f"{base}:built",
        f"{tier}:holders",
        f"{tier}:built",
    ]


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
        return (
            c.register_script(_RESERVE),
            c.register_script(_LOAD),
            c.register_script(_RELEASE),
            c.register_script(_LOAD_TIER),
        )

    # --- rebuild from the database -----------------------------------------------------
    def rebuild(
        self, *, db: Session, sender_id: int, now: datetime, portfolio: str | None = None
    ) -> bool:
        """Load whichever windows are missing from `messages`; True when this call loaded."""
        k = keys(sender_id, portfolio)
        loaded = False
        if not self.client.exists(k[3]):
            args: list[str | int] = [KEY_TTL_SECONDS]
            for member, _contact, stamp in db_usage(db=db, sender_id=sender_id, now=now):
                args += [member, _ms(stamp)]
            loaded |= bool(self._scripts[1](keys=[k[0], k[1], k[3]], args=args))
        if not self.client.exists(k[5]):
            args = [KEY_TTL_SECONDS]
            reach = db_reach(db=db, sender_id=sender_id, portfolio=portfolio, now=now)
            for contact_id, stamp, holders in reach:
                args += [str(contact_id), _ms(stamp), holders]
            loaded |= bool(self._scripts[3](keys=[k[2], k[4], k[5]], args=args))
        return loaded

    def _ensure(self, *, db: Session, sender_id: int, now: datetime, portfolio: str | None) -> None:
        k = keys(sender_id, portfolio)
        if self.client.exists(k[3], k[5]) < 2:
            self.rebuild(db=db, sender_id=sender_id, now=now, portfolio=portfolio)

    # --- ThrottleStore -----------------------------------------------------------------
    def claim_room(
        self,
        *,
        db: Session,
        sender_id: int,
        caps: Caps,
        now: datetime,
        portfolio: str | None = None,
    ) -> int:
        self._ensure(db=db, sender_id=sender_id, now=now, portfolio=portfolio)
        k = keys(sender_id, portfolio)
        rnow = self._redis_now()
        pipe = self.client.pipeline(transaction=False)
        pipe.zcount(k[0], _ms(rnow - HOUR), "+inf")
        pipe.zcount(k[1], _ms(rnow - DAY), "+inf")
        pipe.zcount(k[2], _ms(rnow - DAY), "+inf")
        hour, day, recipients = pipe.execute()
        marker = now  # only the lengths matter for room()
        return room(Usage([marker] * hour, [marker] * day, [marker] * recipients), caps)

    def _redis_now(self) -> datetime:
        """Redis's clock, the one the reserve script stamps with."""
        sec, usec = self.client.time()
        return datetime.fromtimestamp(sec + usec / 1_000_000, tz=UTC)

    def reserve(
        self,
        *,
        db: Session,
        sender_id: int,
        caps: Caps,
        slots: list[Slot],
        now: datetime,
        portfolio: str | None = None,
    ) -> dict[int, bool]:
        if not slots:
            return {}
        args: list[str | int] = [
            caps.hourly,
            caps.daily,
            -1 if caps.tier_cap is None else caps.tier_cap,
            KEY_TTL_SECONDS,
        ]
        by_member = {slot.member: slot.message_id for slot in slots}
        for slot in slots:
            args += [slot.member, str(slot.contact_id) if slot.new_recipient else ""]
        k = keys(sender_id, portfolio)
        for _ in range(3):
            out = self._scripts[0](keys=k, args=args)
            if out and out[0] == -1:
                self.rebuild(db=db, sender_id=sender_id, now=now, portfolio=portfolio)
                continue
            return {by_member[_text(out[i])]: bool(int(out[i + 1])) for i in range(0, len(out), 2)}
        raise RuntimeError(f"throttle windows of sender {sender_id} keep disappearing")

    def release(
        self,
        *,
        sender_id: int,
        slots: list[Slot],
        granted: dict[int, bool],
        portfolio: str | None = None,
    ) -> None:
        args: list[str] = []
        for slot in slots:
            if slot.message_id in granted:
                held = granted[slot.message_id]
                args += [slot.member, str(slot.contact_id) if held else ""]
        if args:
            k = keys(sender_id, portfolio)
            self._scripts[2](keys=[k[0], k[1], k[2], k[4]], args=args)

    def usage(
        self, *, db: Session, sender_id: int, now: datetime, portfolio: str | None = None
    ) -> Usage:
        self._ensure(db=db, sender_id=sender_id, now=now, portfolio=portfolio)
        k = keys(sender_id, portfolio)
        pipe = self.client.pipeline(transaction=False)
        rnow = self._redis_now()
        shift = now - rnow  # Redis stamps → the caller's clock
        pipe.zrangebyscore(k[0], _ms(rnow - HOUR), "+inf", withscores=True)
        pipe.zrangebyscore(k[1], _ms(rnow - DAY), "+inf", withscores=True)
        pipe.zrangebyscore(k[2], _ms(rnow - DAY), "+inf", withscores=True)
        hour, day, recipients = pipe.execute()
        return Usage(
            hour=[_at(s) + shift for _, s in hour],
            day=[_at(s) + shift for _, s in day],
            recipients=[_at(s) + shift for _, s in recipients],
        )


__all__ = ["RedisThrottle", "keys", "tier_key", "usage_from_rows"]
