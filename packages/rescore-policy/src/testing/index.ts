// fast-check arbitraries of @payout-kernel/rescore-policy.
export {}
