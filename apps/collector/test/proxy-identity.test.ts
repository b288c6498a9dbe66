import { afterEach, describe, expect, it } from 'vitest';
import { createProxy, type TrellisProxy } from '@trellis/proxy';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

interface IdentityView {
  identity: { spiffeId: string; notAfter: string } | null;
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a proxy gets and renews its certificate from the collector', () => {
  let collector: TestCollector | undefined;
  let proxy: TrellisProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await collector?.close();
  });

  it('holds a certificate for its service and renews it before it expires', async () => {
    collector = await startTestCollector('sqlite', {
      args: ['--identity-issuance-lifetime', '30s'],
    });
    const controlPlane = await collector.listen();
    proxy = createProxy({
      service: 'catalog',
      inbound: '127.0.0.1:0',
      outbound: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      controlPlane,
      token: collector.tokens.proxy,
      log: () => {},
    });
    await proxy.start();
    const view = () => (proxy!.configView() as IdentityView).identity ?? undefined;
    const first = await until(view, 'the first certificate');
    expect(first.spiffeId).toBe('spiffe://trellis.local/service/catalog');
    // Renewed at about 70 % of 30 s: a later certificate, well before the first one expires.
    const renewed = await until(() => {
      const next = view();
      return next && next.notAfter !== first.notAfter ? next : undefined;
    }, 'a renewal');
    expect(Date.parse(renewed.notAfter)).toBeGreaterThan(Date.parse(first.notAfter));
    expect(Date.now()).toBeLessThan(Date.parse(first.notAfter));
  }, 60_000);
});
