// The compiled transition table against XState's own `transition()` on the same definition.

import { fc, test } from '@fast-check/vitest'
import { deriveId, EpochMillis, toRfc3339 } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import * as E from 'fp-ts/lib/Either.js'
import { expect } from 'vitest'
import { applyPayoutEvent, decodePayoutEvent, decodePayoutEventStrict } from '../src/index.js'
import { deriveIdFast, rfc3339Fast } from '../src/internal/FastId.js'
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
