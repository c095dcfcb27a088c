/**
 * A stored record that does not decode: the decision that read it fails closed (its runner
 * answers unavailable), with the record and the fields that were wrong in the message.
 */
import type { ValidationError } from '@payout-kernel/core'

/** What the store holds is not what it should: names the record and each bad field. */
export class CorruptRecord extends Error {
  /** `what`: the record, as a log should name it ("quota log", "webhook receipt scope/evt_1"). */
  constructor(what: string, e: ValidationError) {
    super(`${what}: ${e.problems.map((p) => `${p.field || '(record)'}: ${p.message}`).join('; ')}`)
  }
}
