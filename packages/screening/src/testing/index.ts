// fast-check arbitraries of @payout-kernel/screening.
export * from './arbitraries.js'
