/**
 * A record as the stores keep it, `<version>:<json>`, and what a scan finds under a prefix.
 */
import type { ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import type { RedisCommands } from '../RedisClient.js'

/** A stored record that does not decode: the decision that read it fails closed. */
export class CorruptRecord extends Error {
  constructor(what: string, e: ValidationError) {
    super(`${what}: ${e.problems.map((p) => `${p.field || '(record)'}: ${p.message}`).join('; ')}`)
  }
}

/** `<version>:<json>` split, or a `ValidationError` naming what is wrong. */
export const parseRecord = (raw: string): E.Either<ValidationError, { version: number; json: unknown }> => {
  const m = /^([0-9]{1,16}):/.exec(raw)
  const version = m === null ? Number.NaN : Number(m[1])
  if (m === null || !Number.isSafeInteger(version))
    return E.left({
      _tag: 'ValidationError',
      problems: [{ field: 'version', message: 'must be a whole number before ":"' }],
    })
  try {
    return E.right({ version, json: JSON.parse(raw.slice(m[0].length)) as unknown })
  } catch {
    return E.left({ _tag: 'ValidationError', problems: [{ field: '', message: 'must be JSON' }] })
  }
}

/** Every key matching `pattern` on the clients (a Cluster: its masters), page by page. */
export const scanKeys = async (
  clients: ReadonlyArray<RedisCommands>,
  pattern: string,
  each: (client: RedisCommands, keys: ReadonlyArray<string>) => Promise<void>,
): Promise<void> => {
  for (const client of clients) {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      if (keys.length > 0) await each(client, keys)
      cursor = next
    } while (cursor !== '0')
  }
}

/** The tag and the kind of a key under `prefix` (`pk:{T}:q:…` → T and `q`), or null. */
export const kindOf = (prefix: string, key: string): { tag: string; kind: string; rest: string } | null => {
  if (!key.startsWith(`${prefix}{`)) return null
  const close = key.indexOf('}', prefix.length)
  if (close < 0 || key[close + 1] !== ':') return null
  const kind = key.slice(close + 2, close + 4)
  if (kind.length !== 2 || kind[1] !== ':') return null
  return { tag: key.slice(prefix.length + 1, close), kind: kind[0] as string, rest: key.slice(close + 4) }
}
