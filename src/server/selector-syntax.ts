import type { LabelSelector } from '../k8s/selector.js';

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * Parses kubectl's label selector syntax (`env=prod,tier!=db,team in (a,b),!legacy,owner`) into a
 * metav1.LabelSelector. Returns an error message naming the bad requirement instead of throwing.
 */
export function parseLabelSelector(text: string): { selector: LabelSelector } | { error: string } {
  const selector: LabelSelector = { matchExpressions: [] };
  const exprs = selector.matchExpressions!;
  for (const raw of splitTopLevel(text)) {
    const req = raw.trim();
    if (req === '') return { error: `empty requirement in "${text}"` };
    let m: RegExpMatchArray | null;
    if ((m = req.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim());
      if (!KEY.test(m[1]) || values.some((v) => !VALUE.test(v))) return { error: `invalid requirement "${req}"` };
      exprs.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = req.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      if (!KEY.test(m[1]) || !VALUE.test(m[3])) return { error: `invalid requirement "${req}"` };
      exprs.push({ key: m[1], operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]] });
    } else if ((m = req.match(/^!\s*(\S+)$/))) {
      if (!KEY.test(m[1])) return { error: `invalid requirement "${req}"` };
      exprs.push({ key: m[1], operator: 'DoesNotExist' });
    } else if (KEY.test(req)) {
      exprs.push({ key: req, operator: 'Exists' });
    } else {
      return { error: `invalid requirement "${req}" (expected key, !key, key=value, key!=value, key in (a,b), key notin (a,b))` };
    }
  }
  return { selector };
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
