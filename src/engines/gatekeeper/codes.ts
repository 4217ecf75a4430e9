/** Diagnostic codes of the Gatekeeper engine (stable; Rego problems keep OPA's rego_* codes). */
export const GATEKEEPER_CODES = {
  gatekeeper_template_invalid: 'A ConstraintTemplate lacks spec.crd.spec.names.kind or a target.',
  gatekeeper_target_unsupported: 'A template target other than admission.k8s.gatekeeper.sh.',
  gatekeeper_no_code: 'A template has neither Rego nor K8sNativeValidation code.',
  gatekeeper_constraint_invalid: 'A constraint is malformed (match, enforcementAction, parameters).',
  gatekeeper_unknown_template: 'A constraint whose kind no loaded ConstraintTemplate defines.',
} as const;
