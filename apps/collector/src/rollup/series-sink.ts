/** What a delta sink learns about a series the first time a target exposes it. */
export interface SeriesIdentity {
  /** Metric family: the counter's name, or a histogram's name without `_bucket`/`_sum`/`_count`. */
  readonly family: string;
  readonly part: 'counter' | 'bucket' | 'sum' | 'count';
  /** The `le` of a histogram bucket (`Infinity` for `+Inf`); undefined for other parts. */
  readonly upperBound: number | undefined;
  /** Decoded labels, without `le`. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * For histogram parts: the same object for every series of one histogram of one target, so a
   * sink can judge the histogram as a whole (e.g. whether it has the expected bounds).
   */
  readonly histogram: object | undefined;
}

/**
 * Receives the increases a target's counters and histograms made since its previous scrape.
 * `bind` runs once per series and target; what it returns comes back with every delta, so the
 * hot path needs no lookup. Returning undefined ignores the series.
 */
export interface DeltaSink<Binding> {
  bind(series: SeriesIdentity): Binding | undefined;
  add(binding: Binding, delta: number): void;
}
