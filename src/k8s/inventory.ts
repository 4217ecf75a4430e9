import type { KObject } from './object.js';
import { meta } from './object.js';

/** An in-memory inventory indexed by kind; used by scans (objects of the input) and by the webhook's cache. */
export class MemoryInventory {
  private readonly byKind = new Map<string, KObject[]>();
  private readonly everything: KObject[] = [];

  constructor(objects: Iterable<KObject> = []) {
    for (const o of objects) this.add(o);
  }

  add(o: KObject): void {
    const kind = String(o.kind ?? '');
    let arr = this.byKind.get(kind);
    if (!arr) this.byKind.set(kind, (arr = []));
    arr.push(o);
    this.everything.push(o);
  }

  list(kind: string, apiVersion?: string, namespace?: string): readonly KObject[] {
    const arr = this.byKind.get(kind) ?? [];
    if (apiVersion === undefined && namespace === undefined) return arr;
    return arr.filter(
      (o) =>
        (apiVersion === undefined || o.apiVersion === apiVersion) &&
        (namespace === undefined || (meta(o).namespace ?? '') === namespace),
    );
  }

  get(kind: string, namespace: string | undefined, name: string, apiVersion?: string): KObject | undefined {
    return (this.byKind.get(kind) ?? []).find(
      (o) =>
        meta(o).name === name &&
        (namespace === undefined || (meta(o).namespace ?? '') === namespace) &&
        (apiVersion === undefined || o.apiVersion === apiVersion),
    );
  }

  all(): readonly KObject[] {
    return this.everything;
  }
}
