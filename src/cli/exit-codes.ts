/** Documented exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** Blocking findings, failed tests, attacks not blocked. */
  findings: 1,
  /** Usage errors, unreadable or invalid input (findings are still printed). */
  usage: 2,
} as const;
