/**
 * Go's path/filepath.Match on '/'-separated paths, which KubeArmor's alert matcher uses for matchPatterns:
 * `*` matches any run of non-'/' characters, `?` one non-'/' character, `[...]` a class (ranges, `^` negation),
 * `\` escapes. `**` is just two stars (it does not cross '/'). A malformed pattern matches nothing.
 * Compiled once into a RegExp for the hot path.
 */
export function compileGoGlob(pattern: string): RegExp | undefined {
  let re = '^';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= pattern.length) return undefined;
      re += escapeRe(pattern[i + 1]);
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      let closed = false;
      while (j < pattern.length) {
        let ch = pattern[j];
        if (ch === ']' && !first) {
          closed = true;
          j++;
          break;
        }
        first = false;
        if (ch === '\\') {
          j++;
          if (j >= pattern.length) return undefined;
          ch = pattern[j];
        }
        let item = escapeClass(ch);
        j++;
        if (pattern[j] === '-' && pattern[j + 1] !== undefined && pattern[j + 1] !== ']') {
          let hi = pattern[j + 1];
          j += 2;
          if (hi === '\\') {
            if (j >= pattern.length) return undefined;
            hi = pattern[j];
            j++;
          }
          if (hi < ch) return undefined;
          item += '-' + escapeClass(hi);
        }
        cls += item;
      }
      if (!closed || cls === '' || cls === '^') return undefined;
      // Go's classes never match the separator.
      re += `(?![/])[${cls}]`;
      i = j;
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  try {
    return new RegExp(re + '$', 's');
  } catch {
    return undefined;
  }
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}
function escapeClass(c: string): string {
  return /[\]\\^-]/.test(c) ? '\\' + c : c;
}
