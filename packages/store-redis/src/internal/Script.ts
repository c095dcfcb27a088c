/**
 * Running a Lua script by its SHA-1 (`EVALSHA`: one round trip, the script's text not sent), and
 * by its text (`EVAL`) when the server answers `NOSCRIPT` — after a restart or `SCRIPT FLUSH` the
 * server has forgotten it; `EVAL` loads it again.
 */
import type { RedisCommands } from '../RedisClient.js'

const noScript = (e: unknown): boolean => e instanceof Error && e.message.startsWith('NOSCRIPT')

/** A script to run on any client: `(redis, keys, args)` resolves to its answer. */
export type Script = (
  redis: RedisCommands,
  keys: ReadonlyArray<string>,
  args: ReadonlyArray<string>,
) => Promise<unknown>

/** The SHA-1 of a script's text, in hex (Web Crypto: no Node.js built-in needed). */
const sha1 = async (text: string): Promise<string> => {
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

export const script = (lua: string): Script => {
  let sha: string | null = null
  return async (redis, keys, args) => {
    sha ??= await sha1(lua)
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args)
    } catch (e) {
      if (!noScript(e)) throw e
      return redis.eval(lua, keys.length, ...keys, ...args)
    }
  }
}
