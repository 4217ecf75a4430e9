/**
 * The diagnostic code catalog. Codes are stable snake_case and never renamed; add new ones at the end of a group.
 * Each engine may keep its own catalog next to it (e.g. engines/rego uses OPA's rego_* codes); list them here
 * when they reach users so docs/diagnostics.md stays complete.
 */
export const CODES = {
  // input files
  file_read_error: 'A file or directory could not be read.',
  input_too_large: 'A file or stdin exceeded the size limit.',
  input_too_deep: 'A document nests deeper than the depth limit, or has too many nodes.',
  yaml_parse_error: 'The YAML (or JSON) is not well-formed.',
  document_not_object: 'A document is not a mapping (e.g. a bare string or list).',
  missing_api_version: 'An object has no apiVersion.',
  missing_kind: 'An object has no kind.',
  list_item_not_object: 'An item of a kind: List is not a mapping.',
  // rampart.yaml packs
  config_parse_error: 'rampart.yaml could not be parsed.',
  config_unknown_field: 'rampart.yaml has a field the schema does not define.',
  config_invalid_value: 'A rampart.yaml field has a value of the wrong type or out of range.',
  config_unknown_policy: 'rampart.yaml refers to a policy id no loaded policy has.',
  policy_id_invalid: 'A policy id does not follow <scope>.<intent>.v<N>.',
  policy_duplicate_id: 'Two policies share one id.',
  exception_expired: 'An exception is past its expiry date and no longer applies.',
  exception_invalid: 'An exception lacks a scope, reason, owner or valid expiry.',
  // evaluation
  policy_eval_error: 'A policy failed while evaluating (its failure policy applies).',
  policy_unsupported: 'A policy uses a feature Rampart does not evaluate.',
  // Pod Security Standards (engines/pss/codes.ts)
  pss_invalid_level: 'A PSS level is not privileged, baseline or restricted.',
  pss_invalid_version: 'A PSS version is not latest or v1.X.',
  // command line
  usage_error: 'The command line is not valid.',
} as const satisfies Record<string, string>;

export type CoreCode = keyof typeof CODES;
