import { defaultPolicy, type Policy } from '@trellis/contracts';
import { describe, expect, it } from 'vitest';
import { draftOf, issueInWords, specOf } from '../src/policy/route-policy-draft';

const policy: Policy = {
  ...defaultPolicy('recommendations'),
  routes: [{ name: 'recommend', match: { path: '/recommendations' } }],
};

describe('the route policy form', () => {
  it('turns the form back into the policy, retries included', () => {
    const draft = { ...draftOf(policy, 'recommend'), retryEnabled: true, on: ['5xx' as const] };
    const { spec, errors } = specOf(policy, 'recommend', { ...draft, maxRetries: '2' });
    expect(errors).toEqual({});
    expect(spec?.routes?.[0]?.retry).toMatchObject({ maxRetries: 2, on: ['5xx'] });
  });

  it('says what is wrong in words, naming the field', () => {
    const draft = { ...draftOf(policy, 'recommend'), retryEnabled: true };
    expect(specOf(policy, 'recommend', { ...draft, maxRetries: '11' }).errors).toEqual({
      maxRetries: 'Max retries must be at most 10.',
    });
    expect(specOf(policy, 'recommend', { ...draft, maxRetries: '1.5' }).errors).toEqual({
      maxRetries: 'Max retries must be a whole number.',
    });
    expect(specOf(policy, 'recommend', { ...draft, maxRetries: '' }).errors).toEqual({
      maxRetries: 'Max retries is required.',
    });
    expect(specOf(policy, 'recommend', { ...draft, timeoutMs: 'soon' }).errors).toEqual({
      timeoutMs: 'Timeout must be a number.',
    });
    expect(specOf(policy, 'recommend', { ...draft, on: [] }).errors.on).toBe(
      'Retry on needs at least 1 selected.',
    );
  });

  it('names the field of an issue the collector reports', () => {
    expect(issueInWords('policy.routes.0.retry.maxRetries', 'Too big')).toBe(
      'Max retries: Too big',
    );
    expect(issueInWords('policy.routes.0.match.path', 'bad')).toBe(
      'policy.routes.0.match.path: bad',
    );
  });
});
