import { CelEnvironment } from './environment.js';
import type { CelEvalOptions, CelResult } from './types.js';

/** One environment for a test file, with the variables admission policies declare. */
export function testEnv(): CelEnvironment {
  return new CelEnvironment({
    variables: {
      object: 'map',
      oldObject: 'map',
      params: 'dyn',
      variables: 'map',
      request: 'map',
      authorizer: 'kubernetes.authorization.Authorizer',
    },
  });
}

/** Compiles and evaluates; throws on a compile error so table tests stay short. */
export function run(env: CelEnvironment, expr: string, act: Record<string, unknown> = {}, opts?: CelEvalOptions): CelResult {
  const c = env.compile(expr);
  if (!c.ok) throw new Error(`compile ${expr}: ${c.error.code} ${c.error.message}`);
  return c.program.evaluate(act, opts);
}

export function value(env: CelEnvironment, expr: string, act: Record<string, unknown> = {}): unknown {
  const r = run(env, expr, act);
  if (!r.ok) throw new Error(`eval ${expr}: ${r.error.code} ${r.error.message}`);
  return r.value;
}
