/**
 * The Lua scripts of the Redis stores. None holds policy logic: the decisions are made in
 * TypeScript by the pure keyed functions; these only read records (and compute a quota log's
 * position, as the PostgreSQL store's `rescore_read` does) and apply one decision's writes if
 * every record is still at the version read. Each script touches keys of one hash slot only.
 *
 * A record is a string `<version>:<json>`. Versions come from the slot's counter key, created
 * from the server clock in microseconds (`TIME`) when absent and then `INCR`ed: a record deleted
 * and written again gets a version no reader has seen, and so does one written after the counter
 * expired or the server restarted empty (unless the server clock went back).
 *
 * A quota log is a hash (`v` version, `len` the next admission number, `head` the first admission
 * a decision still looks at, `off` the number of the first one kept, `latest` its latest time)
 * and a sorted set of admissions (score: time; member: the number, zero-padded to 16 digits, so
 * that equal times sort by number and rank = number − `off`).
 */

/** Shared helpers: the version of a record string, the next version of the slot. */
const helpers = `
local function ver(raw)
  if not raw then return '' end
  return string.match(raw, '^(%d+):') or '?'
end
local function nextVersion(counter)
  if redis.call('EXISTS', counter) == 0 then
    local t = redis.call('TIME')
    redis.call('SET', counter, t[1] .. string.rep('0', 6 - string.len(t[2])) .. t[2])
  end
  return string.format('%d', redis.call('INCR', counter))
end
local function at(zset, rank)
  local r = redis.call('ZRANGE', zset, rank, rank, 'WITHSCORES')
  return r[2] or ''
end
`

/**
 * The reads of one rescore decision. KEYS: quota hash, admissions, idempotency record,
 * beneficiary record. ARGV: '1' to read the quota log, now, window, limit, '1' to read the key,
 * '1' to read the beneficiary. Answers 8 strings ('' for none): the log's version, length,
 * latest, first, oldest, freeing; the key's record; the beneficiary's record.
 */
export const rescoreReadLua = `${helpers}
local out = {'', '0', '', '0', '', '', '', ''}
if ARGV[1] == '1' then
  local h = redis.call('HMGET', KEYS[1], 'v', 'len', 'head', 'off', 'latest')
  if h[1] then
    local len = tonumber(h[2])
    local head = tonumber(h[3])
    local off = tonumber(h[4])
    local latest = tonumber(h[5])
    local t = tonumber(ARGV[2])
    if latest > t then t = latest end
    local cutoff = t - tonumber(ARGV[3])
    local first = len
    local r = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. string.format('%d', cutoff), '+inf', 'LIMIT', 0, 1)
    if #r > 0 then
      first = tonumber(r[1])
      if first < head then first = head end
    end
    local oldest, freeing = '', ''
    if first < len then
      oldest = at(KEYS[2], first - off)
      local f = len - tonumber(ARGV[4])
      if f < first then f = first end
      freeing = at(KEYS[2], f - off)
    end
    out[1] = h[1]
    out[2] = h[2]
    out[3] = h[5]
    out[4] = string.format('%d', first)
    out[5] = oldest
    out[6] = freeing
  end
end
if ARGV[5] == '1' then out[7] = redis.call('GET', KEYS[3]) or '' end
if ARGV[6] == '1' then out[8] = redis.call('GET', KEYS[4]) or '' end
return out
`

/**
 * One decision's writes, all or none: compare every version read, then set or delete them all.
 * KEYS: the slot's version counter, a quota hash and its admissions (named even when the
 * decision appends nothing), then the records. ARGV: the counter's TTL (ms); '1' to append to the
 * quota log, its expected version ('' none), head, length, time and TTL (ms); then per record its
 * expected version ('' absent), its new JSON ('' deletes it) and its TTL in ms ('' none).
 * Answers 1 when written, 0 when a record moved (nothing written).
 */
export const writeLua = `${helpers}
local appends = ARGV[2] == '1'
if appends then
  local h = redis.call('HMGET', KEYS[2], 'v', 'len')
  if (h[1] or '') ~= ARGV[3] or (h[2] or '0') ~= ARGV[5] then return 0 end
end
local n = #KEYS - 3
for i = 1, n do
  if ver(redis.call('GET', KEYS[3 + i])) ~= ARGV[5 + 3 * i] then return 0 end
end
if appends then
  local v = nextVersion(KEYS[1])
  local len = tonumber(ARGV[5])
  local head = tonumber(ARGV[4])
  local off = 0
  if ARGV[3] == '' then
    redis.call('DEL', KEYS[3])
  else
    off = tonumber(redis.call('HGET', KEYS[2], 'off') or '0')
  end
  redis.call('ZADD', KEYS[3], ARGV[6], string.format('%016d', len))
  if head > off then
    redis.call('ZREMRANGEBYRANK', KEYS[3], 0, head - off - 1)
    off = head
  end
  redis.call('HSET', KEYS[2], 'v', v, 'len', string.format('%d', len + 1), 'head', ARGV[4],
    'off', string.format('%d', off), 'latest', ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
  redis.call('PEXPIRE', KEYS[3], ARGV[7])
end
local wrote = appends
for i = 1, n do
  local value = ARGV[6 + 3 * i]
  if value == '' then
    redis.call('DEL', KEYS[3 + i])
  else
    local record = nextVersion(KEYS[1]) .. ':' .. value
    local ttl = ARGV[7 + 3 * i]
    if ttl == '' then redis.call('SET', KEYS[3 + i], record) else redis.call('SET', KEYS[3 + i], record, 'PX', ttl) end
    wrote = true
  end
end
if wrote then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`

/**
 * A prune of one quota log as of ARGV[1] (now) for a window of ARGV[2] ms: drops the admissions
 * out of the window ending at the later of now and the latest admission, or the whole log when
 * none is left. Its version does not change (as in the in-memory store). Answers 1 when deleted.
 */
export const pruneQuotaLua = `${helpers}
local h = redis.call('HMGET', KEYS[1], 'v', 'len', 'head', 'off', 'latest')
if not h[1] then return 0 end
local len = tonumber(h[2])
local head = tonumber(h[3])
local off = tonumber(h[4])
local t = tonumber(ARGV[1])
if tonumber(h[5]) > t then t = tonumber(h[5]) end
local r = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. string.format('%d', t - tonumber(ARGV[2])), '+inf', 'LIMIT', 0, 1)
local first = len
if #r > 0 then first = tonumber(r[1]) end
if first >= len then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
if first > off then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, first - off - 1)
  off = first
end
if first > head then head = first end
redis.call('HSET', KEYS[1], 'head', string.format('%d', head), 'off', string.format('%d', off))
return 0
`

/** Deletes KEYS[1] if it is still at version ARGV[1]: a prune's delete never races a write. Answers 1 when deleted. */
export const deleteIfLua = `${helpers}
if ver(redis.call('GET', KEYS[1])) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`
