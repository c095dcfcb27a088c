// The public face of @payout-kernel/velocity: re-exports only.
export * from './RuleSet.js'
export * from './VelocityWindow.js'
export * from './Payout.js'
export * from './Ledger.js'
