// The public face of @payout-kernel/velocity: re-exports only.

export * from './Backtest.js'
export * from './KeyedVelocity.js'
export * from './Ledger.js'
export * from './Payout.js'
export * from './RuleSet.js'
export * from './VelocityWindow.js'
export * from './Verdict.js'
