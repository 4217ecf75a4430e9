/**
 * regex.globs_match as OPA implements it (github.com/yashtewari/glob-intersection): patterns of characters, `.`,
 * `[...]` sets with ranges, `\` escapes and the flags `*` / `+`; everything else is literal. Two patterns match
 * when some string matches both, decided on the product of their automata (with the library's end rule).
 */
import { builtinErr } from './types.js';

type Token = { kind: 'char'; c: number; flag: string } | { kind: 'dot'; flag: string } | { kind: 'set'; runes: Set<number>; flag: string };

function invalid(input: number[], pos: number, msg: string): Error {
  return builtinErr(`input:${String.fromCodePoint(...input)}, pos:${pos}, ${msg}: the input provided is invalid`);
}

/** Reads the rune at i, honouring a backslash escape: [next index, rune, escaped]. */
function nextRune(input: number[], i: number): [number, number, boolean] {
  if (input[i] === 0x5c) {
    if (i === input.length - 1) throw invalid(input, i, 'input ends with a \\ (escape) character');
    return [i + 2, input[i + 1] as number, true];
  }
  return [i + 1, input[i] as number, false];
}

function parseSet(input: number[], start: number): [number, Set<number>] {
  const runes = new Set<number>();
  let i = start;
  let prev = 0;
  let prevExists = false;
  while (i < input.length) {
    const [ni, r, escaped] = nextRune(input, i);
    i = ni;
    if (escaped) {
      runes.add(r);
      [prev, prevExists] = [r, true];
    } else if (r === 0x5d) {
      return [i, runes];
    } else if (r === 0x2d) {
      if (!prevExists) throw invalid(input, i, "range character '-' must be preceded by a Unicode character");
      if (i >= input.length - 1) throw invalid(input, i, "range character '-' must be followed by a Unicode character");
      const [ni2, hi, esc2] = nextRune(input, i);
      i = ni2;
      if (!esc2 && (hi === 0x5d || hi === 0x2d)) throw invalid(input, i, "range character '-' cannot be followed by a special symbol");
      if (hi < prev) throw invalid(input, i, `range is out of order: '${String.fromCodePoint(hi)}' comes before '${String.fromCodePoint(prev)}' in Unicode`);
      for (let x = prev; x <= hi; x++) runes.add(x);
      prevExists = false;
    } else {
      runes.add(r);
      [prev, prevExists] = [r, true];
    }
  }
  throw invalid(input, i, 'found [ without matching ]');
}

export function parseGlob(pattern: string): Token[] {
  const input = Array.from(pattern, (c) => c.codePointAt(0) as number);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const [ni, r, escaped] = nextRune(input, i);
    i = ni;
    let t: Token;
    if (escaped) t = { kind: 'char', c: r, flag: '' };
    else if (r === 0x2e) t = { kind: 'dot', flag: '' };
    else if (r === 0x5d) throw invalid(input, i, "set-close ']' with no preceding '['");
    else if (r === 0x5b) {
      const [after, runes] = parseSet(input, i);
      i = after;
      t = { kind: 'set', runes, flag: '' };
    } else if (r === 0x2a || r === 0x2b) throw invalid(input, i, `flag '${String.fromCodePoint(r)}' must be preceded by a non-flag`);
    else t = { kind: 'char', c: r, flag: '' };
    if (i < input.length && (input[i] === 0x2a || input[i] === 0x2b)) {
      t.flag = String.fromCodePoint(input[i] as number);
      i++;
    }
    tokens.push(t);
  }
  return tokens;
}

function overlaps(a: Token, b: Token): boolean {
  if (a.kind === 'dot') return b.kind !== 'set' || b.runes.size > 0;
  if (b.kind === 'dot') return overlaps(b, a);
  if (a.kind === 'char') return b.kind === 'char' ? a.c === b.c : b.runes.has(a.c);
  if (b.kind === 'char') return a.runes.has(b.c);
  for (const r of a.runes) if (b.runes.has(r)) return true;
  return false;
}

/** Positions reachable without consuming: a `*` token may be skipped. */
function closure(tokens: Token[], i: number): number[] {
  const out = [i];
  while (i < tokens.length && tokens[i]?.flag === '*') out.push(++i);
  return out;
}

/** Positions after consuming one character with token i. */
function advance(tokens: Token[], i: number): number[] {
  const f = tokens[i]?.flag;
  return f === '' ? [i + 1] : [i, i + 1];
}

export function globsIntersect(a: string, b: string): boolean {
  const ta = parseGlob(a);
  const tb = parseGlob(b);
  const seen = new Set<number>();
  const width = tb.length + 1;
  const queue: [number, number][] = [];
  const push = (i: number, j: number): void => {
    for (const x of closure(ta, i))
      for (const y of closure(tb, j)) {
        const k = x * width + y;
        if (!seen.has(k)) {
          seen.add(k);
          queue.push([x, y]);
        }
      }
  };
  if (ta.length === 0 && tb.length === 0) return true;
  push(0, 0);
  while (queue.length) {
    const [i, j] = queue.pop() as [number, number];
    if (i === ta.length || j === tb.length) continue;
    if (!overlaps(ta[i] as Token, tb[j] as Token)) continue;
    for (const x of advance(ta, i))
      for (const y of advance(tb, j)) {
        // As the library: both must end on a consumed token; trailing `*` tokens are not skipped at the end.
        if (x === ta.length && y === tb.length) return true;
        push(x, y);
      }
  }
  return false;
}
