// fast-check arbitraries of @payout-kernel/scoring.
export {}
