// The compiled transition table against XState's own `transition()` on the same definition.

import { fc, test } from '@fast-check/vitest'
import { deriveId, EpochMillis, toRfc3339 } from '@payout-kernel/core'
import { arbGarbage, arbId } from '@payout-kernel/core/testing'
import { expect } from 'vitest'
import * as E from '#fp-ts/Either'
import { applyPayoutEvent, decodePayoutEvent, decodePayoutEventStrict } from '../src/index.js'
import { auditRecordIdOf, deriveIdFast, rfc3339Fast, webhookEventIdOf } from '../src/internal/FastId.js'
import { decodeStartStrict, isStartPayoutInputFast } from '../src/internal/Lifecycle.js'
import { compiledStepper } from '../src/internal/TransitionTable.js'
import {
  arbPayoutConfig,
  arbPayoutEvent,
  arbPayoutEventStream,
  arbPayoutLifecycle,
  arbStartPayoutInput,
} from '../src/testing/index.js'
import { itemInputs, runInputs } from './Harness.js'
import { referenceLifecycle, xstateStepper } from './XStateReference.js'

test.prop([arbPayoutEventStream()], { numRuns: 300 })(
  'applyPayoutEvent gives exactly what the same lifecycle over XState transition() gives, on hostile streams',
  ({ config, start, items }) => {
    const inputs = itemInputs(items)
    const fast = runInputs(applyPayoutEvent, start, inputs, config)
    const reference = runInputs(referenceLifecycle.apply, start, inputs, config)
    expect(fast.results.map((r) => r.result)).toEqual(reference.results.map((r) => r.result))
  },
)

test.prop([arbPayoutLifecycle(), fc.nat(), arbPayoutEvent, arbPayoutConfig], { numRuns: 1000 })(
  'one machine step: the compiled table and XState agree in every reachable state, for any event and policy',
  ({ start, events, config }, cut, event, other) => {
    const run = runInputs(applyPayoutEvent, start, events.slice(0, cut % (events.length + 1)), config)
    const { state, context } = run.final
    expect(compiledStepper(state, context, event, other)).toEqual(xstateStepper(state, context, event, other))
  },
)

const arbEventLike = fc.oneof(
  arbPayoutEvent,
  arbGarbage,
  fc.tuple(arbPayoutEvent, fc.string(), arbGarbage).map(([e, key, value]) => ({ ...e, [key]: value })),
  fc
    .tuple(
      arbPayoutEvent,
      fc.constantFrom(
        'type',
        'eventId',
        'occurredAt',
        'actor',
        'verdict',
        'rawScore',
        'evaluationId',
        'outcome',
        'reason',
      ),
      arbGarbage,
    )
    .map(([e, key, value]) => ({ ...e, [key]: value })),
  fc.tuple(arbPayoutEvent, arbGarbage).map(([e, id]) => ({ ...e, actor: { ...e.actor, id } })),
)

test.prop([arbEventLike], { numRuns: 10_000 })(
  'the fast event check accepts exactly what the io-ts codecs accept, and keeps the same fields',
  (u) => {
    const fast = decodePayoutEvent(u)
    const strict = decodePayoutEventStrict(u)
    expect(E.isRight(fast)).toBe(E.isRight(strict))
    if (E.isRight(fast) && E.isRight(strict)) {
      // the strict decoder keeps the event's own fields, and those are what the fast one kept
      const picked = Object.fromEntries(
        Object.keys(strict.right).map((k) => [k, (fast.right as unknown as Record<string, unknown>)[k]]),
      )
      expect(picked).toEqual(strict.right)
    }
  },
)

test.prop(
  [
    fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 })),
    fc.oneof(fc.nat(), fc.string({ maxLength: 40 })),
  ],
  {
    numRuns: 2000,
  },
)('ids derived on the hot path equal deriveId of core', (a, b) => {
  expect(deriveIdFast('evt_', [a, b])).toBe(deriveId('evt_', [a, b]))
})

const arbAnyPayoutId = fc.oneof(arbId('pay_', 16), arbId('pay_', 251))
const arbSeq = fc.oneof(
  fc.integer({ min: 1, max: 200 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
)

test.prop(
  [
    fc.uniqueArray(arbAnyPayoutId, { minLength: 1, maxLength: 12 }),
    fc.uniqueArray(arbSeq, { minLength: 1, maxLength: 30 }),
    fc.array(fc.nat()),
  ],
  { numRuns: 500 },
)(
  'record and webhook ids: evt_/pev_, the payout digits of deriveId, then seq; unique over payouts and seqs, ≤255, the same in any call order',
  (payoutIds, seqs, order) => {
    const pairs = payoutIds.flatMap((payoutId) => seqs.map((seq) => [payoutId, seq] as const))
    const ids = pairs.map(([payoutId, seq]) => webhookEventIdOf(payoutId, seq))
    const auditIds = pairs.map(([payoutId, seq]) => auditRecordIdOf(payoutId, seq))
    expect(new Set(ids).size).toBe(pairs.length)
    expect(new Set(auditIds).size).toBe(pairs.length)
    pairs.forEach(([payoutId, seq], i) => {
      const digits = `${deriveId('evt_', [payoutId]).slice(4)}${seq}`
      expect(ids[i]).toBe(`evt_${digits}`)
      expect(auditIds[i]).toBe(`pev_${digits}`)
      expect(ids[i]).toMatch(/^evt_[a-zA-Z0-9]+$/)
      expect(ids[i]?.length).toBeLessThanOrEqual(255)
    })
    // again, the pairs visited in another order (the last payout's digits are remembered)
    const shuffled = pairs.map((_, i) => i).sort((a, b) => (order[a] ?? a) - (order[b] ?? b) || a - b)
    for (const i of shuffled) {
      const [payoutId, seq] = pairs[i] ?? ['', 0]
      expect(webhookEventIdOf(payoutId, seq)).toBe(ids[i])
      expect(auditRecordIdOf(payoutId, seq)).toBe(auditIds[i])
    }
  },
)

test.prop(
  [
    fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 - 10 * 86_400_000 }),
    fc.array(fc.integer({ min: 0, max: 10 * 86_400_000 }), { minLength: 1, maxLength: 40 }),
  ],
  { numRuns: 2000 },
)('timestamps close together (the last date is remembered) equal toRfc3339 of core', (base, offsets) => {
  for (const offset of offsets) {
    const ms = base + offset
    if (EpochMillis.is(ms)) expect(rfc3339Fast(ms)).toBe(toRfc3339(ms))
  }
})

test.prop([fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })], { numRuns: 10_000 })(
  'timestamps written on the hot path equal toRfc3339 of core over years 0000 to 9999',
  (ms) => {
    expect(EpochMillis.is(ms)).toBe(true)
    if (EpochMillis.is(ms)) expect(rfc3339Fast(ms)).toBe(toRfc3339(ms))
  },
)

const arbStartLike = fc.oneof(
  arbStartPayoutInput,
  arbGarbage,
  fc
    .tuple(arbStartPayoutInput, fc.constantFrom('payoutId', 'eventId', 'occurredAt', 'actor'), arbGarbage)
    .map(([s, key, value]) => ({ ...s, [key]: value })),
  fc
    .tuple(arbStartPayoutInput, arbGarbage, arbGarbage)
    .map(([s, type, id]) => ({ ...s, actor: { type, id } })),
)

test.prop([arbStartLike], { numRuns: 10_000 })(
  'the fast check of startPayout input accepts exactly what its io-ts codec accepts',
  (u) => {
    expect(isStartPayoutInputFast(u)).toBe(E.isRight(decodeStartStrict(u)))
  },
)
