// The public face of @payout-kernel/scoring: re-exports only.
export {}
