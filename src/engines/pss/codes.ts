/** Diagnostic codes of the PSS engine (stable; listed for docs/diagnostics.md). */
export const PSS_CODES = {
  pss_invalid_level: 'A Pod Security level is not privileged, baseline or restricted.',
  pss_invalid_version: 'A Pod Security version is not "latest" or "v1.<minor>".',
} as const satisfies Record<string, string>;
