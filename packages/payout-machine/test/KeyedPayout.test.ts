// The keyed payout step against today's applyPayoutEvent chain, over an in-memory record map that
// stores what a database would (JSON text, a version per snapshot, audit rows unique by payout and
// seq, an outbox list), and the decoders of what a store reads back against hostile input.

import { fc, test } from '@fast-check/vitest'
import type { PayoutId } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  type AuditRecord,
  applyPayoutEvent,
  applyPayoutEventKeyed,
  decodeAuditRecord,
  decodePayoutReads,
  decodeWebhookEnvelope,
  type KeyedPayoutRefusal,
  type KeyedPayoutStep,
  type PayoutConfig,
  type PayoutReads,
  type PayoutStep,
  type PayoutWrites,
  type StartPayoutInput,
  serializePayout,
  startPayout,
  startPayoutKeyed,
  webhookEnvelopeOf,
} from '../src/index.js'
import { arbPayoutEventStream, arbPayoutLifecycle } from '../src/testing/index.js'
import { itemInputs, runInputs } from './Harness.js'

// ---------------------------------------------------------------- the record map

/** One payout's records as a database holds them: text, a version, rows keyed by (payout, seq). */
class RecordMap {
  private versions = 0
  readonly snapshots = new Map<string, { readonly version: number; readonly json: string }>()
  readonly audit = new Map<string, string>()
  readonly outbox: string[] = []

  reads(payoutId: PayoutId): PayoutReads {
    const stored = this.snapshots.get(payoutId)
    let last = 0
    while (this.audit.has(`${payoutId}#${last + 1}`)) last++
    const decoded = decodePayoutReads({
      payoutId,
      snapshot: stored === undefined ? null : { version: String(stored.version), value: stored.json },
      nextSeq: last + 1,
    })
    if (E.isLeft(decoded))
      throw new Error(`the map holds what it cannot read: ${JSON.stringify(decoded.left)}`)
    return decoded.right
  }

  /** All the writes, or none: the version condition and the unique (payout, seq) are checked first. */
  commit(payoutId: PayoutId, writes: PayoutWrites): 'committed' | 'version moved' | 'seq taken' {
    if ((this.snapshots.get(payoutId)?.version ?? null) !== writes.snapshot.expected) return 'version moved'
    if (writes.auditRecords.some((r) => this.audit.has(`${r.payout_id}#${r.seq}`))) return 'seq taken'
    if (writes.snapshot.value !== null)
      this.snapshots.set(payoutId, { version: ++this.versions, json: JSON.stringify(writes.snapshot.value) })
    for (const r of writes.auditRecords) this.audit.set(`${r.payout_id}#${r.seq}`, JSON.stringify(r))
    for (const w of writes.outbox) this.outbox.push(w.body)
    return 'committed'
  }

  trail(payoutId: PayoutId): AuditRecord[] {
    const out: AuditRecord[] = []
    for (let seq = 1; this.audit.has(`${payoutId}#${seq}`); seq++)
      out.push(JSON.parse(this.audit.get(`${payoutId}#${seq}`) ?? 'null'))
    return out
  }
}

const keyedRun = (start: StartPayoutInput, inputs: ReadonlyArray<unknown>, config: PayoutConfig) => {
  const map = new RecordMap()
  const payoutId = start.payoutId
  const decide = (
    keyed: E.Either<KeyedPayoutRefusal, KeyedPayoutStep>,
  ): { result: E.Either<KeyedPayoutRefusal, PayoutStep>; writes: PayoutWrites | null } => {
    if (E.isLeft(keyed)) return { result: keyed, writes: null }
    expect(map.commit(payoutId, keyed.right.writes)).toBe('committed')
    return { result: E.right(keyed.right.step), writes: keyed.right.writes }
  }
  const started = decide(startPayoutKeyed(map.reads(payoutId), start))
  const steps = inputs.map((input) => decide(applyPayoutEventKeyed(map.reads(payoutId), input, config)))
  return { map, started, steps }
}

// ---------------------------------------------------------------- differential

describe('the keyed step gives what applyPayoutEvent gives', () => {
  test.prop([arbPayoutEventStream()], { numRuns: 2000 })(
    'on hostile streams over a record map: the same results, statuses, audit records and webhooks',
    ({ config, start, items }) => {
      const inputs = itemInputs(items)
      const today = runInputs(applyPayoutEvent, start, inputs, config)
      const keyed = keyedRun(start, inputs, config)

      // every answer, accepted or refused, is the same (a refusal is the lifecycle's own)
      expect(keyed.started.result).toEqual(E.right(today.start))
      expect(keyed.steps.map((s) => s.result)).toEqual(today.results.map((r) => r.result))

      // what the map holds is what the chain produced, in order
      const steps = today.steps
      const stored = keyed.map.snapshots.get(start.payoutId)
      expect(stored?.json).toBe(serializePayout(today.final))
      expect(keyed.map.trail(start.payoutId)).toEqual(steps.flatMap((s) => s.auditRecords))
      expect(keyed.map.outbox.map((body) => JSON.parse(body))).toEqual(steps.flatMap((s) => s.webhookEvents))
      expect(keyed.map.trail(start.payoutId).map((r) => r.seq)).toEqual(
        steps.flatMap((s) => s.auditRecords).map((_, i) => i + 1),
      )

      // a refusal writes nothing; an accepted step writes its step, conditional on the version read
      for (const [i, s] of keyed.steps.entries()) {
        if (E.isLeft(s.result)) {
          expect(s.writes).toBeNull()
          expect(s.result.left._tag).toBe('PayoutRejection')
          continue
        }
        const writes = s.writes as PayoutWrites
        expect(writes.snapshot.expected).not.toBeNull()
        expect(JSON.stringify(writes.snapshot.value)).toBe(serializePayout(s.result.right.snapshot))
        expect(writes.auditRecords).toEqual(s.result.right.auditRecords)
        expect(writes.outbox).toEqual(s.result.right.webhookEvents.map(webhookEnvelopeOf))
        expect(i).toBeLessThan(inputs.length)
      }
    },
  )

  test.prop([arbPayoutLifecycle(), fc.nat(), fc.nat()], { numRuns: 1000 })(
    'a decision made on stale reads never lands: its version has moved and its audit seqs are taken',
    ({ config, start, events }, cut, other) => {
      if (events.length === 0) return
      const k = cut % events.length
      const map = keyedRun(start, events.slice(0, k), config).map
      const reads = map.reads(start.payoutId)
      const first = applyPayoutEventKeyed(reads, events[k], config)
      expect(E.isRight(first)).toBe(true)
      // a second instance decides on the very same reads: the same event under another id
      const rival = { ...events[k], eventId: `rival${other}` }
      const second = applyPayoutEventKeyed(reads, rival, config)
      if (E.isLeft(first) || E.isLeft(second)) return
      expect(map.commit(start.payoutId, first.right.writes)).toBe('committed')
      expect(map.commit(start.payoutId, second.right.writes)).toBe('version moved')
      // even a store that skipped the version check would refuse it on the unique (payout, seq)
      const unconditional = {
        ...second.right.writes,
        snapshot: {
          ...second.right.writes.snapshot,
          expected: map.snapshots.get(start.payoutId)?.version ?? 0,
        },
      }
      expect(map.commit(start.payoutId, unconditional)).toBe('seq taken')
    },
  )

  test.prop([arbPayoutLifecycle(), fc.nat()], { numRuns: 1000 })(
    'records that disagree are refused without writes: a snapshot under another key, a seq that is not the trail’s',
    ({ config, start, events }, shift) => {
      const map = keyedRun(start, events, config).map
      const reads = map.reads(start.payoutId)
      const event = { type: 'CANCEL', eventId: 'late-cancel', occurredAt: 0, actor: { type: 'ops' } }
      const elsewhere = applyPayoutEventKeyed(
        { ...reads, payoutId: 'pay_someoneelse' as PayoutId },
        event,
        config,
      )
      expect(E.isLeft(elsewhere) && elsewhere.left._tag).toBe('PayoutRecordsInconsistent')
      const skewed = applyPayoutEventKeyed(
        { ...reads, nextSeq: reads.nextSeq + 1 + (shift % 5) },
        event,
        config,
      )
      expect(E.isLeft(skewed) && skewed.left._tag).toBe('PayoutRecordsInconsistent')
      const orphans = startPayoutKeyed(
        { payoutId: start.payoutId, snapshot: null, nextSeq: reads.nextSeq },
        start,
      )
      expect(E.isLeft(orphans) && orphans.left._tag).toBe('PayoutRecordsInconsistent')
      const absent = applyPayoutEventKeyed(
        { payoutId: start.payoutId, snapshot: null, nextSeq: 1 },
        event,
        config,
      )
      expect(E.isLeft(absent) && absent.left._tag).toBe('PayoutNotFound')
    },
  )
})

// ---------------------------------------------------------------- codecs of what a store reads back

/** Sets `value` at a dotted path of a plain-JSON copy of `base`. */
const replaced = (base: unknown, path: string, value: unknown): unknown => {
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>
  const keys = path.split('.')
  let at: Record<string, unknown> = copy
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>
  at[keys[keys.length - 1] as string] = value
  return copy
}

/** A problem names the field that was replaced: that field, one inside it, or the object holding it. */
const names = (problemField: string, path: string): boolean =>
  problemField === path ||
  problemField.startsWith(`${path}.`) ||
  path.startsWith(problemField === '' ? '' : `${problemField}.`)

const arbStored = arbPayoutLifecycle({ maxSteps: 6 }).chain(({ config, start, events }) =>
  fc
    .nat({ max: events.length })
    .map((cut) => runInputs(applyPayoutEvent, start, events.slice(0, cut), config)),
)

const arbStoredReads = fc.tuple(arbStored, fc.nat({ max: 2 ** 40 })).map(([run, version]) => ({
  payoutId: run.final.context.payoutId,
  snapshot: { version, value: JSON.parse(serializePayout(run.final)) },
  nextSeq: run.final.context.seq + 1,
}))

const readsPaths = [
  'payoutId',
  'snapshot',
  'nextSeq',
  'snapshot.version',
  'snapshot.value',
  'snapshot.value.machine',
  'snapshot.value.version',
  'snapshot.value.state',
  'snapshot.value.context',
  ...[
    'payoutId',
    'makerId',
    'velocity',
    'risk',
    'rfi',
    'rfiCount',
    'completedAt',
    'seq',
    'lastOccurredAt',
    'appliedEventIds',
    'visited',
  ].map((k) => `snapshot.value.context.${k}`),
]

describe('what a store reads back is decoded, never trusted', () => {
  test.prop([arbStoredReads], { numRuns: 2000 })(
    'stored reads decode to the snapshot that was stored',
    (reads) => {
      const decoded = decodePayoutReads(reads)
      expect(E.isRight(decoded)).toBe(true)
      if (E.isRight(decoded)) {
        expect(decoded.right.snapshot?.version).toBe(reads.snapshot.version)
        expect(JSON.parse(serializePayout(decoded.right.snapshot?.value ?? ({} as never)))).toEqual(
          reads.snapshot.value,
        )
      }
    },
  )

  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage is refused with a ValidationError naming a field of the reads',
    (u) => {
      const decoded = decodePayoutReads(u)
      expect(E.isLeft(decoded)).toBe(true)
      if (E.isLeft(decoded)) {
        expect(decoded.left._tag).toBe('ValidationError')
        expect(decoded.left.problems.length).toBeGreaterThan(0)
        for (const p of decoded.left.problems)
          expect(['', 'payoutId', 'snapshot', 'nextSeq']).toContain(p.field)
      }
    },
  )

  test.prop([arbStoredReads, fc.constantFrom(...readsPaths), arbGarbage], { numRuns: 10_000 })(
    'stored reads with one field replaced by garbage: refused naming that field, or read as they are',
    (reads, path, garbage) => {
      const u = replaced(reads, path, garbage)
      const decoded = decodePayoutReads(u)
      if (E.isLeft(decoded)) {
        expect(decoded.left._tag).toBe('ValidationError')
        expect(decoded.left.problems.length).toBeGreaterThan(0)
        for (const p of decoded.left.problems)
          expect(names(p.field, path), `${p.field} for ${path}`).toBe(true)
      } else {
        // accepted: then the replacement was a value that field may hold, and reads back as stored
        const again = decodePayoutReads(u)
        expect(again).toEqual(decoded)
      }
    },
  )

  const arbEnvelope = arbStored
    .filter((run) => run.steps.some((s) => s.webhookEvents.length > 0))
    .chain((run) => fc.constantFrom(...run.steps.flatMap((s) => s.webhookEvents)))
    .map(webhookEnvelopeOf)

  const envelopePaths = ['id', 'payoutId', 'seq', 'type', 'createdAt', 'body']

  test.prop([arbEnvelope, fc.constantFrom(...envelopePaths), arbGarbage], { numRuns: 10_000 })(
    'outbox envelopes: read back as written, and with one field replaced by garbage refused naming it',
    (envelope, path, garbage) => {
      expect(decodeWebhookEnvelope(JSON.parse(JSON.stringify(envelope)))).toEqual(E.right(envelope))
      const decoded = decodeWebhookEnvelope(replaced(envelope, path, garbage))
      if (E.isLeft(decoded))
        // a column that no longer agrees with the body is named as the body's field
        for (const p of decoded.left.problems)
          expect(names(p.field, path) || p.field.startsWith('body.'), `${p.field} for ${path}`).toBe(true)
      else
        expect(decoded.right[path as keyof typeof envelope]).toEqual(envelope[path as keyof typeof envelope])
    },
  )

  const arbRecord = arbStored.chain((run) => fc.constantFrom(...run.steps.flatMap((s) => s.auditRecords)))
  const recordPaths = [
    'id',
    'payout_id',
    'seq',
    'previous_status',
    'status',
    'event',
    'actor_type',
    'actor_id',
    'reason',
    'occurred_at',
    'metadata',
  ]

  test.prop([arbRecord, fc.constantFrom(...recordPaths), arbGarbage], { numRuns: 10_000 })(
    'audit records: read back as written, and with one field replaced by garbage refused naming it',
    (record, path, garbage) => {
      expect(decodeAuditRecord(JSON.parse(JSON.stringify(record)))).toEqual(E.right(record))
      const decoded = decodeAuditRecord(replaced(record, path, garbage))
      if (E.isLeft(decoded))
        for (const p of decoded.left.problems)
          expect(names(p.field, path), `${p.field} for ${path}`).toBe(true)
    },
  )

  test.prop([arbGarbage], { numRuns: 10_000 })('garbage is never an envelope or an audit record', (u) => {
    expect(E.isLeft(decodeWebhookEnvelope(u))).toBe(true)
    expect(E.isLeft(decodeAuditRecord(u))).toBe(true)
  })
})

// ---------------------------------------------------------------- worked example

test('a start and two events through the keyed form: versions, seqs and envelopes as stored', () => {
  const map = new RecordMap()
  const payoutId = 'pay_worked1' as PayoutId
  const start = {
    payoutId,
    eventId: 'c1',
    occurredAt: Date.UTC(2025, 0, 1),
    actor: { type: 'merchant', id: 'maker' },
  }
  const started = startPayoutKeyed(map.reads(payoutId), start)
  if (E.isLeft(started)) throw new Error('start refused')
  expect(map.commit(payoutId, started.right.writes)).toBe('committed')
  const submit = {
    type: 'SUBMITTED',
    eventId: 'e1',
    occurredAt: Date.UTC(2025, 0, 1, 0, 1),
    actor: { type: 'system' },
  }
  const submitted = applyPayoutEventKeyed(map.reads(payoutId), submit)
  if (E.isLeft(submitted)) throw new Error('submit refused')
  expect(submitted.right.writes.snapshot.expected).toBe(1)
  expect(map.commit(payoutId, submitted.right.writes)).toBe('committed')
  const body = JSON.parse(submitted.right.writes.outbox[0]?.body ?? 'null')
  expect(Object.keys(body)).toEqual(['id', 'type', 'created_at', 'data'])
  expect(body.type).toBe('payout.pending_screening')
  expect(body.created_at).toBe('2025-01-01T00:01:00.000Z')
  expect(body.data.seq).toBe(2)
  const reference = startPayout(start)
  expect(E.isRight(reference) && reference.right.webhookEvents[0]?.id).toBe(
    JSON.parse(map.outbox[0] ?? '').id,
  )
  expect(map.reads(payoutId).nextSeq).toBe(3)
})
