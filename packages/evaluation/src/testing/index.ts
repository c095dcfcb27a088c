// fast-check arbitraries of @payout-kernel/evaluation.
export * from './arbitraries.js'
