// fast-check arbitraries of @payout-kernel/scoring.
export * from './arbitraries.js'
