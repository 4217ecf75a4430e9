export { applyJsonPatch, toPointer, type JsonPatchOp } from './json-patch.js';
export {
  DEFAULT_SECURE_DEFAULTS,
  secureDefaultsPatch,
  type AppliedMutation,
  type MutationResult,
  type SecureDefaultName,
  type SecureDefaults,
} from './secure-defaults.js';
