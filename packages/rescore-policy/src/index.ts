// The public face of @payout-kernel/rescore-policy: re-exports only.
export {}
