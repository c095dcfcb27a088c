// Model-based: random interleavings of requests, engine completions and failures, clock steps
// (and prunes) for several merchants and beneficiaries, run on the real policy and on the
// reference beside it; both give the same response and start the same rescores at every step.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  completeRescore,
  decideRescore,
  failRescore,
  initialRescoreState,
  pruneRescoreState,
  type RescoreConfig,
  type RescoreLease,
  type RescoreRequest,
  type RescoreResponse,
  type RescoreState,
} from '../src/index.js'
import {
  arbClockStep,
  arbEngineEvaluation,
  arbRescoreConfig,
  arbRescoreRequest,
} from '../src/testing/index.js'
import { ReferencePolicy, withoutMessages } from './ReferencePolicy.js'

interface Model {
  readonly ref: ReferencePolicy
  now: number
  pending: RescoreLease[]
  /** Every request sent so far, for clients that retry one as it was. */
  readonly sent: RescoreRequest[]
}

interface Real {
  state: RescoreState
  now: number
  pending: RescoreLease[]
  readonly config: RescoreConfig
}

interface Evaluation {
  readonly current: { readonly evaluationId: string; readonly rawScore: number }
  readonly previous: { readonly evaluationId: string; readonly rawScore: number } | null
}

/** Which rows of the table the generated runs reached (checked at the end). */
const seen = new Set<string>()
const codeOf = (r: RescoreResponse): string =>
  r.headers['X-Idempotent-Replayed'] === 'true'
    ? `replay ${r.status}`
    : 'error' in r.body
      ? r.body.error.code
      : String(r.status)

class Request implements fc.Command<Model, Real> {
  constructor(readonly request: RescoreRequest) {}
  check = () => true
  run(m: Model, r: Real): void {
    const expected = m.ref.decide(this.request, m.now)
    const actual = decideRescore(r.state, this.request, r.now, r.config)
    r.state = actual.state
    seen.add(actual.response === null ? 'start' : codeOf(actual.response))
    expect(withoutMessages(actual.response)).toEqual(withoutMessages(expected.response))
    expect(actual.effects.map((e) => e.lease)).toEqual(expected.leases)
    for (const e of actual.effects)
      expect([e.pillar, e.reason, e.beneficiaryId]).toEqual(['payee', 'ops_review', e.lease.beneficiaryId])
    m.pending.push(...expected.leases)
    r.pending.push(...actual.effects.map((e) => e.lease))
    m.sent.push(this.request)
  }
  toString = () =>
    `request(${this.request.merchantId}, ${this.request.beneficiaryId}, ${JSON.stringify(this.request.headers)}, ${JSON.stringify(this.request.engine)}${this.request.path.startsWith('/v2') ? ', v2' : ''})`
}

/** A client retrying a request it sent before, unchanged: what idempotency keys exist for. */
class Retry implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.sent.length > 0
  run(m: Model, r: Real): void {
    const request = m.sent[this.pick % m.sent.length]
    if (request === undefined) throw new Error('no request to retry')
    new Request(request).run(m, r)
  }
  toString = () => `retry(#${this.pick})`
}

class Complete implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly evaluation: Evaluation,
  ) {}
  check = (m: Readonly<Model>) => m.pending.length > 0
  run(m: Model, r: Real): void {
    const i = this.pick % m.pending.length
    const [lease] = m.pending.splice(i, 1)
    const [realLease] = r.pending.splice(i, 1)
    if (lease === undefined || realLease === undefined) throw new Error('pending lists diverged')
    const expected = m.ref.complete(lease, this.evaluation, m.now)
    const actual = completeRescore(r.state, { lease: realLease, ...this.evaluation }, r.now, r.config)
    if (E.isLeft(actual)) throw new Error(JSON.stringify(actual.left))
    r.state = actual.right.state
    expect(actual.right.response).toEqual(expected)
  }
  toString = () => `complete(#${this.pick}, ${this.evaluation.current.rawScore})`
}

class Fail implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.pending.length > 0
  run(m: Model, r: Real): void {
    const i = this.pick % m.pending.length
    const [lease] = m.pending.splice(i, 1)
    const [realLease] = r.pending.splice(i, 1)
    if (lease === undefined || realLease === undefined) throw new Error('pending lists diverged')
    const expected = m.ref.fail(lease, m.now)
    const actual = failRescore(r.state, { lease: realLease }, r.now, r.config)
    if (E.isLeft(actual)) throw new Error(JSON.stringify(actual.left))
    r.state = actual.right.state
    expect(withoutMessages(actual.right.response)).toEqual(withoutMessages(expected))
  }
  toString = () => `fail(#${this.pick})`
}

class Tick implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  run(m: Model, r: Real): void {
    m.now += this.ms
    r.now += this.ms
  }
  toString = () => `tick(${this.ms})`
}

class Prune implements fc.Command<Model, Real> {
  check = () => true
  run(_m: Model, r: Real): void {
    r.state = pruneRescoreState(r.state, r.now, r.config)
  }
  toString = () => 'prune'
}

// The engine's knowledge follows the beneficiary most of the time: ben_4 is locked for good.
const arbRequest = arbRescoreRequest({
  merchantIds: ['mer_a', 'mer_b'],
  beneficiaryIds: ['ben_1', 'ben_2', 'ben_3', 'ben_4'],
  idempotencyKeys: ['k-1', 'k-2', 'k-3'],
}).map(
  (q): RescoreRequest =>
    q.beneficiaryId === 'ben_4' && q.engine.configured && q.engine.profileExists
      ? { ...q, engine: { ...q.engine, locked: true } }
      : q,
)

const commandsFor = (backwards: boolean) =>
  fc.commands(
    [
      arbRequest.map((q) => new Request(q)),
      arbRequest.map((q) => new Request(q)),
      arbRequest.map((q) => new Request(q)),
      fc.nat().map((i) => new Retry(i)),
      fc.tuple(fc.nat(), arbEngineEvaluation).map(([i, e]) => new Complete(i, e)),
      fc.nat().map((i) => new Fail(i)),
      arbClockStep({ backwards }).map((ms) => new Tick(ms)),
      arbClockStep({ backwards }).map((ms) => new Tick(ms)),
      // Pruning at the current time must not change any later answer, as long as time moves forward.
      ...(backwards ? [] : [fc.constant(new Prune())]),
    ],
    { maxCommands: 80 },
  )

const start = Date.UTC(2026, 0, 1)

/** Runs the commands on the real policy and the reference side by side, from the same start. */
const agreesWithReference = (config: RescoreConfig, commands: Iterable<fc.Command<Model, Real>>): void => {
  const setup = () => ({
    model: { ref: new ReferencePolicy(config), now: start, pending: [], sent: [] } satisfies Model,
    real: { state: initialRescoreState(), now: start, pending: [], config } satisfies Real,
  })
  fc.modelRun(setup, commands)
}

describe('the policy agrees with the reference on every response', () => {
  test.prop([arbRescoreConfig, commandsFor(false)], { numRuns: 400 })(
    'requests, completions, failures, forward clock steps and prunes',
    agreesWithReference,
  )

  test.prop([arbRescoreConfig, commandsFor(true)], { numRuns: 400 })(
    'requests, completions, failures and a clock that also steps backwards',
    agreesWithReference,
  )
})

test('the generated runs reach every row of the table', () => {
  expect([...seen].sort()).toEqual(
    [
      'start',
      '202',
      'replay 200',
      'replay 409',
      'rescore_not_configured',
      'missing_idempotency_key',
      'invalid_idempotency_key',
      'validation_error',
      'rate_limit_exceeded',
      'idempotency_conflict',
      'idempotency_in_flight',
      'engine_beneficiary_not_found',
      'beneficiary_scoring_locked',
      'rescore_rate_limited',
    ].sort(),
  )
})
