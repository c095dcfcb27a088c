// The public face of @payout-kernel/scoring: re-exports only.
export * from './Rescoring.js'
export * from './Rule.js'
export * from './Scoring.js'
export * from './Thresholds.js'
