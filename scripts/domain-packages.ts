// The domain packages (pure: no clock, randomness or I/O), as the scripts that treat them alike
// need them: the pure-mark check (pure.ts) and the mutation runs (mutation.ts).
export const domainPackages = [
  'core',
  'trust',
  'payout-machine',
  'velocity',
  'scoring',
  'rescore-policy',
  'screening',
  'evaluation',
  'request-auth',
] as const
