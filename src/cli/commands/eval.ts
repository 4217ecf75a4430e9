import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

interface EvalOpts {
  data: string[];
  input?: string;
  format: string;
  fail?: boolean;
  failDefined?: boolean;
  v0?: boolean;
  strictBuiltinErrors?: boolean;
  timeout: string;
}

const MAX_FILE = 32 * 1024 * 1024;

/** `rampart eval -d FILE... [-i input.json] QUERY`: evaluate a Rego query like `opa eval`. */
export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a Rego query against policies (.rego) and data files (.json/.yaml), like opa eval')
    .argument('<query>', "Rego query, e.g. 'data.k8srequiredlabels.violation[x]' or 'x := data.lib.f(1)'")
    .option('-d, --data <path>', 'policy or data file, or a directory of them (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-i, --input <file>', 'input document (JSON or YAML)')
    .option('--format <format>', 'json (opa eval shape) or pretty', 'json')
    .option('--fail', 'exit 1 when the result is undefined or empty')
    .option('--fail-defined', 'exit 1 when the result is defined')
    .option('--v0', 'parse policies as Rego v0 (default: v1, falling back to v0 per file)')
    .option('--strict-builtin-errors', 'builtin errors stop evaluation instead of making the expression undefined')
    .option('--timeout <ms>', 'evaluation time limit in milliseconds', '10000')
    .addHelpText(
      'after',
      `
Data files are loaded under data: a file given directly is merged at the root; files found in a directory are
placed at their folder path (dir/a/b/data.json -> data.a.b). Policies may be Rego v1 or v0.

Exit codes: 0 evaluated (also when undefined, unless --fail), 1 --fail/--fail-defined tripped, 2 usage, parse,
compile or evaluation error.

Examples:
  rampart eval -d policy.rego -i pod.json 'data.k8srequiredlabels.violation[x]'
  rampart eval -d lib/ -d data.yaml 'x := data.lib.allowed_registries'
  rampart eval --format pretty 'count([1, 2, 3])'`,
    )
    .action(async (query: string, opts: EvalOpts) => {
      const { readFileSync, readdirSync, statSync } = await import('node:fs');
      const { join, relative, dirname, sep } = await import('node:path');
      const { parse: parseYaml } = await import('yaml');
      const rego = await import('../../engines/rego/index.js');
      const modules: { file: string; source: string }[] = [];
      let data: unknown = undefined;
      const errors: string[] = [];
      const readText = (f: string): string => {
        if (statSync(f).size > MAX_FILE) throw new Error(`${f} is larger than ${MAX_FILE} bytes`);
        return readFileSync(f, 'utf8');
      };
      const loadData = (f: string, prefix: string[]): void => {
        const text = readText(f);
        const v = f.endsWith('.json') ? rego.parseJSON(text) : rego.fromJS(parseYaml(text, { intAsBigInt: true }) as unknown);
        let wrapped = v;
        for (const p of [...prefix].reverse()) {
          const o = new rego.RObject();
          o.setStr(p, wrapped);
          wrapped = o;
        }
        data = data === undefined ? wrapped : mergeData(data as InstanceType<typeof rego.RObject>, wrapped, rego.RObject);
      };
      const addFile = (f: string, root?: string): void => {
        if (f.endsWith('.rego')) modules.push({ file: f, source: readText(f) });
        else if (/\.(json|ya?ml)$/.test(f)) {
          const rel = root ? relative(root, dirname(f)) : '';
          loadData(f, rel ? rel.split(sep) : []);
        }
      };
      const walk = (p: string, root: string): void => {
        for (const e of readdirSync(p).sort()) {
          if (e.startsWith('.')) continue;
          const full = join(p, e);
          if (statSync(full).isDirectory()) walk(full, root);
          else addFile(full, root);
        }
      };
      for (const d of opts.data) {
        try {
          if (statSync(d).isDirectory()) walk(d, d);
          else addFile(d);
        } catch (e) {
          errors.push(`${d}: ${(e as Error).message}`);
        }
      }
      let input: unknown;
      if (opts.input) {
        try {
          const text = readText(opts.input);
          input = opts.input.endsWith('.json') ? rego.parseJSON(text) : rego.fromJS(parseYaml(text, { intAsBigInt: true }) as unknown);
        } catch (e) {
          errors.push(`${opts.input}: ${(e as Error).message}`);
        }
      }
      if (errors.length) {
        for (const e of errors) process.stderr.write(`rampart: ${e}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const compiled = rego.compileRego(modules, { regoVersion: opts.v0 ? 'v0' : 'auto', strictBuiltinErrors: opts.strictBuiltinErrors });
      if (!compiled.ok) {
        printErrors(opts.format, compiled.diagnostics.map((d) => ({ code: d.code, message: d.message, location: d.span })));
        process.exitCode = EXIT.usage;
        return;
      }
      // a single expression also reports its value, as opa eval does
      const single = !/(:=|[^=!<>]=[^=])|;|\n/.test(query);
      const q = single ? `__rampart_expr__ := (${query})` : query;
      let r = compiled.compiled.queryValues(q, { input, data, limits: { timeoutMs: Number(opts.timeout) || 10000 } });
      let usedExpr = single;
      if (single && !r.ok && r.error.code !== 'eval_conflict_error' && !r.error.code.startsWith('eval_')) {
        r = compiled.compiled.queryValues(query, { input, data, limits: { timeoutMs: Number(opts.timeout) || 10000 } });
        usedExpr = false;
      }
      if (!r.ok) {
        printErrors(opts.format, [{ code: r.error.code, message: r.error.message, location: r.error.span }]);
        process.exitCode = EXIT.usage;
        return;
      }
      const results = r.results
        .filter((b) => !usedExpr || b.get('__rampart_expr__') !== false)
        .map((b) => {
          const bindings: Record<string, unknown> = {};
          let value: unknown;
          for (const [k, v] of b) {
            if (k === '__rampart_expr__') value = v;
            else bindings[k] = v;
          }
          return { value, bindings };
        });
      if (opts.format === 'pretty') {
        if (results.length === 0) process.stdout.write('undefined\n');
        for (const res of results) {
          if (usedExpr && Object.keys(res.bindings).length === 0) process.stdout.write(rego.toJSON(res.value as never, 2) + '\n');
          else {
            const o = new rego.RObject();
            for (const [k, v] of Object.entries(res.bindings)) o.setStr(k, v as never);
            process.stdout.write(rego.toJSON(o, 2) + '\n');
          }
        }
      } else {
        const parts = results.map((res) => {
          const fields: string[] = [];
          fields.push(`"expressions":[{"value":${usedExpr ? rego.toJSON(res.value as never, 0) : 'true'},"text":${JSON.stringify(query)}}]`);
          const bk = Object.keys(res.bindings);
          if (bk.length) fields.push(`"bindings":{${bk.map((k) => `${JSON.stringify(k)}:${rego.toJSON(res.bindings[k] as never, 0)}`).join(',')}}`);
          return '{' + fields.join(',') + '}';
        });
        process.stdout.write(parts.length ? `{"result":[${parts.join(',')}]}\n` : '{}\n');
      }
      if (opts.fail && results.length === 0) process.exitCode = EXIT.findings;
      else if (opts.failDefined && results.length > 0) process.exitCode = EXIT.findings;
      else process.exitCode = EXIT.ok;
    });
}

function printErrors(format: string, errs: { code: string; message: string; location?: { file: string; line: number; column: number } }[]): void {
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ errors: errs }, null, 2) + '\n');
    return;
  }
  for (const e of errs) {
    const loc = e.location ? `${e.location.file}:${e.location.line}: ` : '';
    process.stderr.write(`${e.code}: ${loc}${e.message}\n`);
  }
}

function mergeData<T extends { keys(): unknown[]; get(k: never): unknown; set(k: never, v: never): void; clone(): T }>(a: T, b: unknown, Obj: new () => T): T {
  if (!(b instanceof Obj)) return b as T;
  const out = a instanceof Obj ? a.clone() : new Obj();
  for (const k of b.keys()) {
    const av = out.get(k as never);
    const bv = b.get(k as never);
    out.set(k as never, (av instanceof Obj && bv instanceof Obj ? mergeData(av, bv, Obj) : bv) as never);
  }
  return out;
}
