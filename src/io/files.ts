import { closeSync, openSync, readdirSync, readSync, statSync, fstatSync } from 'node:fs';
import { extname, join } from 'node:path';
import { diag, type Diagnostic } from '../core/diagnostic.js';

export const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Expands PATH arguments into manifest files: files as given (any extension), directories recursively (.yaml .yml
 * .json, hidden entries skipped unless `includeHidden`), `-` for stdin. Sorted so output is deterministic.
 */
export function collectFiles(
  paths: readonly string[],
  opts: { extensions?: ReadonlySet<string>; includeHidden?: boolean } = {},
): { files: string[]; diagnostics: Diagnostic[] } {
  const exts = opts.extensions ?? MANIFEST_EXTENSIONS;
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (e) {
      diagnostics.push(diag('file_read_error', `cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { span: { file: dir, line: 1, column: 1 } }));
      return;
    }
    for (const name of entries) {
      if (name === 'node_modules' || name === '.git') continue;
      if (name.startsWith('.') && !opts.includeHidden) continue;
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // dangling symlink
      }
      if (st.isDirectory()) walk(p);
      else if (exts.has(extname(name).toLowerCase())) files.push(p);
    }
  };
  for (const p of paths) {
    if (p === '-') {
      files.push('-');
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      diagnostics.push(diag('file_read_error', `cannot read ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, { span: { file: p, line: 1, column: 1 } }));
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, diagnostics };
}

/**
 * Reads a file (or stdin for `-`) up to `maxBytes`. Larger input is refused with `input_too_large` rather than
 * read into memory.
 */
export function readTextBounded(path: string, maxBytes: number): { text?: string; diagnostic?: Diagnostic } {
  const file = path === '-' ? '<stdin>' : path;
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (e) {
    return { diagnostic: diag('file_read_error', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { span: { file, line: 1, column: 1 } }) };
  }
  try {
    if (path !== '-') {
      const size = fstatSync(fd).size;
      if (size > maxBytes) {
        return { diagnostic: diag('input_too_large', `${file} is ${size} bytes, over the ${maxBytes}-byte limit; not scanned`, { span: { file, line: 1, column: 1 }, help: 'raise --max-bytes if this file is legitimate' }) };
      }
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        return { diagnostic: diag('input_too_large', `${file} exceeds the ${maxBytes}-byte limit; not scanned`, { span: { file, line: 1, column: 1 }, help: 'raise --max-bytes if this input is legitimate' }) };
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return { text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (e) {
    return { diagnostic: diag('file_read_error', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { span: { file, line: 1, column: 1 } }) };
  } finally {
    if (path !== '-') closeSync(fd);
  }
}
