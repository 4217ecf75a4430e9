/** Diagnostic codes of the ValidatingAdmissionPolicy and Kyverno engines (besides the CEL engine's cel_* codes). */
export const VAP_CODES = {
  vap_invalid_policy: 'A ValidatingAdmissionPolicy lacks a required field or has a wrong value; it is not evaluated.',
  vap_invalid_binding: 'A ValidatingAdmissionPolicyBinding lacks a required field or has a wrong value.',
  vap_binding_unknown_policy: 'A binding names a policy that is not among the loaded documents; it does nothing.',
  vap_policy_unbound: 'A policy has no binding, so it applies to nothing (as in a real cluster).',
  policy_annotation_invalid: 'A rampart.dev/* annotation has a value Rampart cannot use; it is ignored.',
  kyverno_invalid_policy: 'A Kyverno policy lacks a required field or has a wrong value.',
  kyverno_unsupported_rule: 'A Kyverno rule type other than validate.cel; its results are `unsupported`.',
} as const satisfies Record<string, string>;
