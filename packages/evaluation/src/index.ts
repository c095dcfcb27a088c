// The public face of @payout-kernel/evaluation: re-exports only.

export * from './EvaluationContext.js'
export * from './PayoutEvaluation.js'
export * from './PayoutToEvaluate.js'
