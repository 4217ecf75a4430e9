/**
 * Runtime cost accounting. Kubernetes charges roughly one unit per evaluated node plus size-proportional costs
 * for string/list functions, and stops an expression at 1,000,000 units (per-expression limit of
 * ValidatingAdmissionPolicy). We charge: the static node count of the expression once, the node count of a
 * comprehension body per iteration, and size-proportional costs inside library functions.
 */
export const DEFAULT_COST_LIMIT = 1_000_000;
/** The clock is consulted every this many cost units (reading it on every node would cost more than the node). */
const CLOCK_STRIDE = 2048;

export class CelCostLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly used: number,
  ) {
    super(`operation cancelled: actual cost limit exceeded (limit ${limit})`);
  }
}

export class CelDeadlineError extends Error {
  constructor() {
    super('operation cancelled: evaluation deadline exceeded');
  }
}

/**
 * The meter of one environment: holds the budget of the evaluation in progress. Evaluations nest (a lazily
 * computed variable evaluates another program), so callers save and restore the state via `enter`/`leave`.
 */
export class CostMeter {
  remaining = Infinity;
  limit = Infinity;
  deadline = Infinity;
  nextClockCheck = Infinity;
  now: () => number = Date.now;
  /** Nesting depth: the outermost evaluation needs no saved state (the common case allocates nothing). */
  #depth = 0;

  enter(limit: number, deadline: number | undefined, now: (() => number) | undefined): MeterState | undefined {
    const saved: MeterState | undefined =
      this.#depth++ === 0 ? undefined : [this.remaining, this.limit, this.deadline, this.nextClockCheck, this.now];
    this.remaining = limit;
    this.limit = limit;
    this.deadline = deadline ?? Infinity;
    this.now = now ?? Date.now;
    this.nextClockCheck = this.deadline === Infinity ? -Infinity : limit - CLOCK_STRIDE;
    return saved;
  }

  leave(saved: MeterState | undefined): void {
    this.#depth--;
    if (saved) [this.remaining, this.limit, this.deadline, this.nextClockCheck, this.now] = saved;
  }

  get used(): number {
    return this.limit - this.remaining;
  }

  charge(units: number): void {
    const r = (this.remaining -= units);
    if (r < 0) throw new CelCostLimitError(this.limit, this.limit - r);
    if (r < this.nextClockCheck) {
      this.nextClockCheck = r - CLOCK_STRIDE;
      if (this.now() > this.deadline) throw new CelDeadlineError();
    }
  }
}

export type MeterState = [number, number, number, number, () => number];

/** Size of a CEL value for size-proportional costs (strings: length, lists/maps: entries). */
export function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v instanceof Uint8Array) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 1;
}
