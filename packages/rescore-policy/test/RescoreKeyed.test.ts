// The keyed form against the whole-state form: the same random scripts (requests as the clock
// moves, completions, failures, workers that die, pruning) give the same answers, field for
// field; and what a store hands back is decoded, never trusted.
import { fc, test } from '@fast-check/vitest'
import type { ValidationError } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decideRescore,
  decideRescoreKeyed,
  decodeBeneficiaryRescore,
  decodeIdempotencyRecord,
  defaultRescoreConfig,
  initialRescoreState,
  inMemoryRescoreRecords,
  noRescoreReads,
  rescoreKeysOf,
} from '../src/index.js'
import { arbRescoreConfig, arbRescoreRequest } from '../src/testing/index.js'
import { arbRescoreScript, playRescoreScript, playRescoreScriptIn } from '../src/testing/scripts.js'

describe('the keyed form gives the answers of the whole-state form', () => {
  test.prop([arbRescoreConfig, arbRescoreScript(40)], { numRuns: 3_000 })(
    'on random scripts, over the in-memory record store',
    async (config, script) => {
      const reference = await playRescoreScript(script, config)
      const keyed = await playRescoreScriptIn(inMemoryRescoreRecords(), script, config)
      expect(keyed).toEqual(reference)
    },
  )

  test.prop([arbRescoreRequest(), fc.integer({ min: -1e6, max: 1e15 })], { numRuns: 2_000 })(
    'on a first request, and it reads only what it needs',
    (request, now) => {
      const keyed = decideRescoreKeyed(noRescoreReads, request, now, defaultRescoreConfig)
      const whole = decideRescore(initialRescoreState(), request, now, defaultRescoreConfig)
      expect(keyed.response).toEqual(whole.response)
      expect(keyed.effects).toEqual(whole.effects)
      const keys = rescoreKeysOf(request, now, defaultRescoreConfig)
      // A decision that writes a record named it among its reads.
      if (keyed.writes.idempotency !== null) expect(keys.idempotency).not.toBeNull()
      if (keyed.writes.beneficiary !== null)
        expect(keys.beneficiaryId).toBe(keyed.writes.beneficiary.beneficiaryId)
      if (keyed.writes.quota !== null) expect(keys.quota?.merchantId).toBe(keyed.writes.quota.merchantId)
    },
  )

  test.prop([arbGarbage, arbGarbage], { numRuns: 10_000 })(
    'never throws on garbage requests',
    (request, now) => {
      const r = request as Parameters<typeof decideRescoreKeyed>[1]
      const n = now as number
      expect(() => decideRescoreKeyed(noRescoreReads, r, n, defaultRescoreConfig)).not.toThrow()
      expect(() => rescoreKeysOf(r, n, defaultRescoreConfig)).not.toThrow()
    },
  )
})

/** The value with every object's keys in reverse order (as a store that reorders keys hands it back). */
const reversed = (u: unknown): unknown =>
  Array.isArray(u)
    ? u.map(reversed)
    : typeof u === 'object' && u !== null
      ? Object.fromEntries(
          Object.entries(u)
            .reverse()
            .map(([k, v]) => [k, reversed(v)]),
        )
      : u

describe('records read back from a store are decoded', () => {
  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage is a ValidationError naming a field, never a record',
    (u) => {
      const decoders: ReadonlyArray<(u: unknown) => E.Either<ValidationError, unknown>> = [
        decodeIdempotencyRecord,
        decodeBeneficiaryRescore,
      ]
      for (const decode of decoders) {
        const r = decode(u)
        if (E.isLeft(r)) {
          expect(r.left._tag).toBe('ValidationError')
          expect(r.left.problems.length).toBeGreaterThan(0)
        } else expect(decode(JSON.parse(JSON.stringify(r.right)))).toEqual(r)
      }
    },
  )

  test.prop([arbRescoreConfig, arbRescoreScript(30)], { numRuns: 300 })(
    'every record the keyed form writes survives JSON, and a stored body its field order',
    async (config, script) => {
      const seen: unknown[] = []
      const memory = inMemoryRescoreRecords()
      await playRescoreScriptIn(
        {
          ...memory,
          write: (w) => {
            if (w.idempotency?.value) seen.push(['key', w.idempotency.value])
            if (w.beneficiary?.value) seen.push(['ben', w.beneficiary.value])
            return memory.write(w)
          },
        },
        script,
        config,
      )
      for (const entry of seen) {
        const [kind, value] = entry as [string, object]
        const shuffled = reversed(JSON.parse(JSON.stringify(value)))
        const decode: (u: unknown) => E.Either<ValidationError, unknown> =
          kind === 'key' ? decodeIdempotencyRecord : decodeBeneficiaryRescore
        const decoded = decode(JSON.parse(JSON.stringify(value)))
        expect(decoded).toEqual(E.right(value))
        if (E.isRight(decoded)) expect(JSON.stringify(decoded.right)).toBe(JSON.stringify(value))
        // Keys reordered by the store (as jsonb does): the same record, and a stored response body
        // in the order the policy sent it, so its replay is byte-identical.
        const reordered = decode(shuffled)
        expect(reordered).toEqual(decoded)
        const bodyOf = (r: unknown) => JSON.stringify((r as { body?: unknown }).body)
        if (E.isRight(reordered)) expect(bodyOf(reordered.right)).toBe(bodyOf(value))
      }
    },
  )
})
