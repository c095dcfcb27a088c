// Every test file of every project (vitest.workspace.ts): after each test, the built-in prototypes
// must be as they were before it. Decoders meet `__proto__`, `constructor` and `prototype` keys in
// the hostile garbage (`hostileValues` of @payout-kernel/core/testing); a careless merge of one of
// them would show here, on whichever test did it.
import { pollutionCheck } from '@payout-kernel/core/testing'
import { afterEach, beforeEach, expect } from 'vitest'

let changes: () => ReadonlyArray<string> = () => []
beforeEach(() => {
  changes = pollutionCheck()
})
afterEach(() => {
  expect(changes(), 'the built-in prototypes were changed (prototype pollution)').toEqual([])
})
