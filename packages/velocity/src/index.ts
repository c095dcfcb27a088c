// The public face of @payout-kernel/velocity: re-exports only.
export {}
