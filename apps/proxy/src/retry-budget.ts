import type { RetryBudget as RetryBudgetPolicy } from '@trellis/contracts';

// The window is kept as a ring of slots; finer slots make it slide more smoothly.
const SLOTS_PER_SECOND = 10;

/**
 * Linkerd/Finagle retry budget for one destination: retries in the last `ttlSeconds` may not
 * exceed `ratio` × original requests in that window + `minRetriesPerSecond` × `ttlSeconds`.
 * Every original request deposits, every retry withdraws; a sliding window forgets both.
 */
export class RetryBudget {
  private readonly slotMs: number;
  private readonly requests: Float64Array;
  private readonly retries: Float64Array;
  private readonly reserve: number;
  private slot = 0;
  private slotStartedAt: number;
  private requestsInWindow = 0;
  private retriesInWindow = 0;

  constructor(
    readonly policy: RetryBudgetPolicy,
    now: number,
  ) {
    const slots = Math.max(1, Math.ceil(policy.ttlSeconds * SLOTS_PER_SECOND));
    this.slotMs = (policy.ttlSeconds * 1000) / slots;
    this.requests = new Float64Array(slots);
    this.retries = new Float64Array(slots);
    this.reserve = policy.minRetriesPerSecond * policy.ttlSeconds;
    this.slotStartedAt = now;
  }

  sameAs(policy: RetryBudgetPolicy): boolean {
    return (
      policy.ratio === this.policy.ratio &&
      policy.minRetriesPerSecond === this.policy.minRetriesPerSecond &&
      policy.ttlSeconds === this.policy.ttlSeconds
    );
  }

  deposit(now: number): void {
    this.advance(now);
    this.requests[this.slot]!++;
    this.requestsInWindow++;
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is exhausted. */
  tryWithdraw(now: number): boolean {
    this.advance(now);
    const allowed = this.policy.ratio * this.requestsInWindow + this.reserve;
    // The tolerance absorbs float error in ratio × count (0.2 × 15 is 3.0000000000000004).
    if (this.retriesInWindow + 1 > allowed + 1e-9) return false;
    this.retries[this.slot]!++;
    this.retriesInWindow++;
    return true;
  }

  private advance(now: number): void {
    const elapsedSlots = Math.floor((now - this.slotStartedAt) / this.slotMs);
    if (elapsedSlots <= 0) return;
    const slots = this.requests.length;
    const expired = Math.min(elapsedSlots, slots);
    for (let k = 0; k < expired; k++) {
      this.slot = (this.slot + 1) % slots;
      this.requestsInWindow -= this.requests[this.slot]!;
      this.retriesInWindow -= this.retries[this.slot]!;
      this.requests[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
    this.slotStartedAt += elapsedSlots * this.slotMs;
  }
}
