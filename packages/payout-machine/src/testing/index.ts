// fast-check arbitraries of @payout-kernel/payout-machine.
export {}
