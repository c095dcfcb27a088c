// fast-check arbitraries of @payout-kernel/velocity.
export * from './arbitraries.js'
