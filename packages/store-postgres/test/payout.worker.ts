// A worker process of the payout race test: applies every event of each of its payouts to the
// server's payout store, in the payout's order, after a pause drawn for it (so two workers
// interleave at random), all payouts at once. A store error is retried; a refusal is reported.
import type { PayoutId } from '@payout-kernel/core'
import type { PayoutConfig } from '@payout-kernel/payout-machine'
import pg from 'pg'
import * as E from '#fp-ts/Either'
import { postgresPayoutStore } from '../src/PayoutStore.js'
import { pgSql } from '../src/Sql.js'
import { workerDone, workerInput } from './processes.js'

export interface PayoutJob {
  readonly payoutId: string
  readonly start: unknown
  readonly events: ReadonlyArray<{ readonly eventId: string }>
  readonly config: PayoutConfig
  /** Milliseconds to pause before the start and before each event. */
  readonly pauses: ReadonlyArray<number>
}

export interface PayoutWorkerInput {
  readonly url: string
  /** Wall-clock time (epoch ms) to begin at, so that the workers begin together whatever their startup took. */
  readonly startAt: number
  readonly jobs: ReadonlyArray<PayoutJob>
}

export interface PayoutWorkerResult {
  /** Per payout: the events this worker's call applied (the start as `start`). */
  readonly applied: Record<string, string[]>
  /** Per payout: the events refused as already applied (by the other worker). */
  readonly duplicates: Record<string, string[]>
  /** Refusals other than duplicates: there should be none. */
  readonly refused: ReadonlyArray<string>
  /** Store errors retried (contention past the store's own attempts, or a fault). */
  readonly retried: number
}

const input = workerInput<PayoutWorkerInput>()
const pool = new pg.Pool({ connectionString: input.url, max: 8 })
pool.on('error', () => {})
const store = postgresPayoutStore(pgSql(pool))
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const applied: Record<string, string[]> = {}
const duplicates: Record<string, string[]> = {}
const refused: string[] = []
let retried = 0

const runJob = async (job: PayoutJob): Promise<void> => {
  const mine: string[] = []
  const dups: string[] = []
  applied[job.payoutId] = mine
  duplicates[job.payoutId] = dups
  const calls: Array<{ readonly id: string; readonly call: () => ReturnType<typeof store.start> }> = [
    { id: 'start', call: () => store.start(job.start) },
    ...job.events.map((event) => ({
      id: event.eventId,
      call: () => store.apply(job.payoutId as PayoutId, event, job.config),
    })),
  ]
  for (const [i, { id, call }] of calls.entries()) {
    await pause(job.pauses[i] ?? 0)
    for (let attempt = 0; ; attempt++) {
      const result = await call()
      if (E.isRight(result)) {
        mine.push(id)
        break
      }
      const left = result.left
      if (left._tag === 'PayoutRejection' && left.reason === 'duplicate_event') {
        dups.push(id)
        break
      }
      if (left._tag.startsWith('PayoutStore') && attempt < 100) {
        retried++
        continue
      }
      refused.push(`${job.payoutId} ${id}: ${JSON.stringify(left)}`)
      break
    }
  }
}

await pause(Math.max(0, input.startAt - Date.now()))
await Promise.all(input.jobs.map(runJob))
await pool.end()
workerDone({ applied, duplicates, refused, retried } satisfies PayoutWorkerResult)
