import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../src/retry-budget.js';

/** How many retries the budget grants in a row at `now`. */
function drain(budget: RetryBudget, now: number): number {
  let granted = 0;
  while (budget.tryWithdraw(now)) granted++;
  return granted;
}

const T0 = 1_000_000;

describe('retry budget on a fake clock', () => {
  it('grants the reserve, minRetriesPerSecond × ttlSeconds, with no traffic', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, ttlSeconds: 10 }, T0);
    expect(drain(budget, T0)).toBe(10);
  });

  it('adds ratio × the requests in the window', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, ttlSeconds: 10 }, T0);
    for (let i = 0; i < 50; i++) budget.deposit(T0);
    expect(drain(budget, T0)).toBe(20);
  });

  it('absorbs float error in ratio × count', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0, ttlSeconds: 10 }, T0);
    for (let i = 0; i < 15; i++) budget.deposit(T0);
    expect(drain(budget, T0)).toBe(3);
  });

  it('forgets retries exactly one TTL later, not a millisecond sooner', () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 1, ttlSeconds: 10 }, T0);
    expect(drain(budget, T0)).toBe(10);
    expect(budget.tryWithdraw(T0 + 9_999)).toBe(false);
    expect(drain(budget, T0 + 10_000)).toBe(10);
  });

  it('forgets deposits one TTL later, so their share of the budget expires', () => {
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSecond: 0, ttlSeconds: 2 }, T0);
    for (let i = 0; i < 20; i++) budget.deposit(T0);
    expect(budget.tryWithdraw(T0 + 1_999)).toBe(true);
    // The 20 deposits leave the window; the one retry at 1_999 ms is still in it.
    for (let i = 0; i < 4; i++) budget.deposit(T0 + 2_000);
    expect(drain(budget, T0 + 2_000)).toBe(1);
  });

  it('slides slot by slot: each deposit and retry expires one TTL after its own slot', () => {
    const budget = new RetryBudget({ ratio: 1, minRetriesPerSecond: 0, ttlSeconds: 1 }, T0);
    budget.deposit(T0);
    budget.deposit(T0 + 500);
    budget.deposit(T0 + 500);
    expect(drain(budget, T0 + 999)).toBe(3);
    // The deposit at 0 ms expires at 1_000 ms: two deposits remain for three retries.
    expect(budget.tryWithdraw(T0 + 1_000)).toBe(false);
    expect(budget.tryWithdraw(T0 + 1_499)).toBe(false);
    // By 1_950 ms the deposits at 500 ms and the retries at 999 ms have expired as well.
    budget.deposit(T0 + 1_950);
    expect(drain(budget, T0 + 1_950)).toBe(1);
  });

  it('refills fully after an idle hour', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 2, ttlSeconds: 5 }, T0);
    expect(drain(budget, T0)).toBe(10);
    expect(drain(budget, T0 + 3_600_000)).toBe(10);
  });

  it('tells an equal policy from a changed one', () => {
    const policy = { ratio: 0.2, minRetriesPerSecond: 1, ttlSeconds: 10 };
    const budget = new RetryBudget(policy, T0);
    expect(budget.sameAs({ ...policy })).toBe(true);
    expect(budget.sameAs({ ...policy, ratio: 0.3 })).toBe(false);
    expect(budget.sameAs({ ...policy, minRetriesPerSecond: 2 })).toBe(false);
    expect(budget.sameAs({ ...policy, ttlSeconds: 5 })).toBe(false);
  });
});
