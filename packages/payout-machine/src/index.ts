// The public face of @payout-kernel/payout-machine: re-exports only.
export {}
