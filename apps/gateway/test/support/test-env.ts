/**
 * What every test gateway runs with unless a test says otherwise: abuse limits off (tests sign
 * in, register and reserve far faster than people; the limits have their own tests), events that
 * let a user hold many reservations at once (the lifecycle tests set their events' limits), and a
 * cheaper password hash (2^12 instead of 2^17: registering is most of some tests' work), and
 * no per-request log lines (the logging test asks for them).
 */
export const TEST_GATEWAY_ENV: Readonly<Record<string, string>> = {
  LOGIN_RATE_LIMIT: '0',
  REGISTER_RATE_LIMIT: '0',
  RESERVE_RATE_LIMIT: '0',
  READ_RATE_LIMIT: '0',
  DEFAULT_HOLDS_PER_USER: '1000000',
  PASSWORD_HASH_COST: '12',
  LOG_LEVEL: 'warn',
};
