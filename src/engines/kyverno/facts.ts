import { isObject, meta } from '../../k8s/object.js';
import type { EvalContext } from '../../policy/engine.js';
import type { RequestFacts } from '../vap/match.js';
import type { KyvernoFacts } from './match.js';

export function kyvernoFacts(ctx: EvalContext, facts: RequestFacts): KyvernoFacts {
  const o = ctx.object ?? ctx.oldObject;
  const ann = o ? meta(o).annotations : undefined;
  return {
    ...facts,
    annotations: isObject(ann) ? (ann as Record<string, string>) : {},
    username: ctx.request.userInfo.username ?? '',
    groups: ctx.request.userInfo.groups ?? [],
  };
}
