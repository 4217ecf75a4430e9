/** Builds the registry: the declaration table plus every implementation group. No network builtins (http.send). */
import { registerAws } from './aws.js';
import { registerCore } from './core.js';
import { BUILTIN_DECLS } from './decls.js';
import { registerEncoding } from './encoding.js';
import { registerGraphql } from './graphql.js';
import { registerJsonSchema } from './jsonschema.js';
import { registerJwt } from './jwt.js';
import { registerNetCrypto } from './netcrypto.js';
import { registerStrings } from './strings.js';
import { BuiltinRegistry } from './types.js';
import { registerX509 } from './x509.js';

export function defaultBuiltins(): BuiltinRegistry {
  const r = new BuiltinRegistry();
  r.declare(...BUILTIN_DECLS);
  registerCore(r);
  registerStrings(r);
  registerEncoding(r);
  registerNetCrypto(r);
  registerJwt(r);
  registerJsonSchema(r);
  registerAws(r);
  registerGraphql(r);
  registerX509(r);
  // declarations without an implementation are not callable: drop them so the compiler reports them as unknown
  for (const name of [...r.decls.keys()]) if (!r.impls.has(name) && !r.relations.has(name)) r.decls.delete(name);
  return r;
}
