// Decides when a manifest pull is worth writing down. ECR's lastRecordedPullTime
// is refreshed "at least once every 24 hours", not on every pull; Berth records a
// pull when it has not recorded one for the same image in the last interval (a
// minute by default), so a hot image adds one row a minute to the usage meter's
// batched write (src/usage/usage-flush.ts) instead of a write per GET. The memory is per process and bounded: when it is full, entries whose
// interval has passed are dropped (they would be due anyway), and if that frees
// nothing it starts over (the worst case is one extra write per image).
export class PullThrottle {
  readonly #intervalMs: number;
  readonly #maxEntries: number;
  readonly #recorded = new Map<string, number>();

  constructor(intervalMs = 60_000, maxEntries = 10_000) {
    this.#intervalMs = intervalMs;
    this.#maxEntries = maxEntries;
  }

  /** True when a pull of `key` at `nowMs` should be recorded (and remembers it as recorded). */
  due(key: string, nowMs: number): boolean {
    const last = this.#recorded.get(key);
    if (last !== undefined && nowMs - last < this.#intervalMs) return false;
    if (last === undefined && this.#recorded.size >= this.#maxEntries) this.#makeRoom(nowMs);
    this.#recorded.set(key, nowMs);
    return true;
  }

  get size(): number {
    return this.#recorded.size;
  }

  #makeRoom(nowMs: number): void {
    for (const [key, at] of this.#recorded) if (nowMs - at >= this.#intervalMs) this.#recorded.delete(key);
    if (this.#recorded.size >= this.#maxEntries) this.#recorded.clear();
  }
}
