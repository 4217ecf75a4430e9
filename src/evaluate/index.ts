export type { PolicySet } from './policy-set.js';
export { evaluateObject, evaluateObjectDetailed, effectiveMode, duplicateIdDiagnostics } from './evaluate.js';
export type { ObjectEvaluation, PolicyOutcome } from './evaluate.js';
export { decideAdmission, findExemption, describeFinding } from './decision.js';
export type { AdmissionDecision } from './decision.js';
export { findException } from './exceptions.js';
export { offlineContext, gvrOf, resourceForKind } from './context.js';
