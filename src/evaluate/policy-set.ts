import type { Diagnostic } from '../core/diagnostic.js';
import type { Mode } from '../core/policy-types.js';
import type { KObject } from '../k8s/object.js';
import type { CompiledPolicy } from '../policy/engine.js';
import type { PackConfig } from '../policy/pack.js';

/** Everything an evaluation needs, compiled once: the policies and the pack's decisions about them. */
export interface PolicySet {
  policies: CompiledPolicy[];
  pack: PackConfig;
  /** Problems found while loading (bad policies, config errors); the good part of the set is still usable. */
  diagnostics: Diagnostic[];
  /** Object kinds the policies read from the inventory besides Namespace ('*' = every object). */
  inventoryKinds: ReadonlySet<string>;
  /** Objects shipped beside the policies that are not policies (e.g. VAP params): added to every inventory. */
  inventoryObjects: readonly KObject[];
  /** Mode a pack's policySets entry gives its policies; ranks below a per-policy override, above the policy's own. */
  setModes: ReadonlyMap<string, Mode>;
}
