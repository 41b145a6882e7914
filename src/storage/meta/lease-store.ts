// The part of the MetadataStore port that lets background work run once across a
// cluster: a named lease held by one node until it expires. A node that dies simply
// stops renewing, and the lease passes to whichever node asks after it expires.

export interface LeaseStore {
  /**
   * Takes or renews the lease `name` for `holder` until `until`. True when the caller now
   * holds it: nobody held it, the holder's time ran out (before `now`), or the caller
   * already held it (then it is extended). False while another holder's lease runs.
   */
  tryAcquire(name: string, holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up early; does nothing when `holder` does not hold it. */
  release(name: string, holder: string): Promise<void>;
}
