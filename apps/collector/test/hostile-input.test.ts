import { afterEach, describe, expect, it } from 'vitest';
import { testProviders } from '@trellis/db/testing';
import { heartbeat, startTestCollector, type TestCollector } from './helpers/test-collector.js';

/** The cases of the first round of attacks on the API that got through, each as sent then. */
describe.each(testProviders())('hostile API input on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  const problem = (response: { statusCode: number; json(): unknown }) => {
    const body = response.json() as {
      error: { code: string; details?: Array<{ path: string; message: string }> };
    };
    return { status: response.statusCode, code: body.error.code, details: body.error.details };
  };

  it('answers times outside the representable range with 400 naming the field', async () => {
    const c = (collector = await startTestCollector(provider));
    const get = async (query: string) =>
      problem(
        await c.app.inject({
          method: 'GET',
          url: `/v1/topology?${query}`,
          headers: c.as('viewer'),
        }),
      );
    const range = 'between 1970-01-01 and 9999-12-31';
    expect(await get('from=8640000000000001&to=8640000000060000')).toEqual({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'querystring.to', message: range }],
    });
    expect(await get('from=253402300800000&to=253402300860000')).toEqual({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'querystring.to', message: range }],
    });
    expect(await get('from=-271821-04-20T00:00:00Z&to=-271821-04-20T00:01:00Z')).toEqual({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'querystring.to', message: range }],
    });
    expect(await get(`to=${Date.now()}&from=99999999999999999999`)).toEqual({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'querystring.from', message: range }],
    });
  });

  it('refuses control characters, lone surrogates and bidi controls in free text', async () => {
    const c = (collector = await startTestCollector(provider));
    const write = async (reason: string) =>
      problem(
        await c.app.inject({
          method: 'PUT',
          url: '/v1/policies/catalog',
          headers: { ...c.as('operator'), 'content-type': 'application/json' },
          // Written by hand: JSON.stringify would escape a lone surrogate the same way, but
          // this is the literal body an attacker sends.
          payload: `{"policy":{},"baseVersion":0,"reason":${JSON.stringify(reason)}}`,
        }),
      );
    const refused = (message: string) => ({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'body.reason', message }],
    });
    expect(await write('fixed\u202Eexe.txt')).toEqual(
      refused('must not contain bidi control characters'),
    );
    expect(await write('first line\nsecond')).toEqual(
      refused('must not contain control characters'),
    );
    expect(await write('bell\u0007')).toEqual(refused('must not contain control characters'));
    expect(await write('\u009bcsi')).toEqual(refused('must not contain control characters'));
    expect(await write('half \uD800 a pair')).toEqual(refused('must not contain lone surrogates'));
    expect(await write('tail \uDC00')).toEqual(refused('must not contain lone surrogates'));
    expect(await c.database.prisma.policyRevision.count()).toBe(0);

    // Whole pairs, right-to-left scripts and emoji are text.
    const accepted = await c.app.inject({
      method: 'PUT',
      url: '/v1/policies/catalog',
      headers: c.as('operator'),
      payload: { policy: {}, baseVersion: 0, reason: 'שלום 😀 timeouts' },
    });
    expect(accepted.statusCode).toBe(200);

    const beat = await c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: c.as('proxy'),
      payload: { ...heartbeat('catalog', 'catalog-1', 5001), proxyVersion: '1.0\u202E' },
    });
    expect(problem(beat)).toEqual({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'body.proxyVersion', message: 'must not contain bidi control characters' }],
    });
  });

  it.each([
    ['999.999.999.999:80', 'not an IPv4 address'],
    ['[:::::]:80', 'not an IPv6 address'],
    ['[1::2::3]:80', 'not an IPv6 address'],
    ['1.2.3:80', 'not an IPv4 address'],
    ['-host:80', 'not an IP address or hostname'],
    ['host..example:80', 'not an IP address or hostname'],
    ['example.123:80', 'not an IP address or hostname'],
    ['127.0.0.1:0', 'port must be 1-65535'],
    ['127.0.0.1:65536', 'port must be 1-65535'],
  ])('refuses the address %s', async (address, message) => {
    const c = (collector = await startTestCollector(provider));
    const response = await c.app.inject({
      method: 'POST',
      url: '/v1/proxies',
      headers: c.as('proxy'),
      payload: { ...heartbeat('catalog', 'catalog-1', 5001), adminAddress: address },
    });
    expect(problem(response)).toEqual({
      status: 400,
      code: 'invalid-request',
      details: [{ path: 'body.adminAddress', message }],
    });
    expect(await c.database.prisma.proxy.count()).toBe(0);
  });

  it('accepts real IPv4, IPv6 and hostname addresses', async () => {
    const c = (collector = await startTestCollector(provider));
    const addresses = [
      ['10.0.0.7:4143', '[::1]:4191'],
      ['[2001:db8::7]:4143', '[::ffff:10.0.0.7]:4191'],
      ['catalog-1.mesh.internal:4143', 'localhost:4191'],
    ];
    for (const [i, [inboundAddress, adminAddress]] of addresses.entries()) {
      const response = await c.app.inject({
        method: 'POST',
        url: '/v1/proxies',
        headers: c.as('proxy'),
        payload: {
          ...heartbeat('catalog', `catalog-${i}`, 5001),
          inboundAddress,
          adminAddress,
        },
      });
      expect(response.statusCode).toBe(200);
    }
  });

  it('gives an inbound or admin address to one live instance: a second gets 409', async () => {
    // Heartbeats every 2 s: the owner stays live however slow the machine, until marked stale.
    const c = (collector = await startTestCollector(provider));
    const register = async (instanceId: string, addresses: object) =>
      c.app.inject({
        method: 'POST',
        url: '/v1/proxies',
        headers: c.as('proxy'),
        payload: { ...heartbeat('catalog', instanceId, 5001), ...addresses },
      });
    const real = { inboundAddress: '127.0.0.1:5001', adminAddress: '127.0.0.1:5101' };
    expect((await register('catalog-1', real)).statusCode).toBe(200);

    // Four registrations pointing their admin address at the real proxy's admin port.
    for (const n of [2, 3, 4, 5]) {
      const response = await register(`catalog-${n}`, {
        inboundAddress: `127.0.0.1:${5000 + n}`,
        adminAddress: real.adminAddress,
      });
      expect(problem(response)).toEqual({
        status: 409,
        code: 'address-in-use',
        details: [
          {
            path: 'body.adminAddress',
            message:
              '127.0.0.1:5101 belongs to live instance "catalog-1"; it is free again once that instance is stale',
          },
        ],
      });
    }
    // Another's inbound address as admin, or its admin address as inbound, is the same listener.
    expect(
      problem(
        await register('catalog-6', {
          inboundAddress: '127.0.0.1:5101',
          adminAddress: '127.0.0.1:5106',
        }),
      ),
    ).toMatchObject({ status: 409, details: [{ path: 'body.inboundAddress' }] });
    expect(
      problem(
        await register('catalog-7', {
          inboundAddress: '127.0.0.1:5007',
          adminAddress: '127.0.0.1:5001',
        }),
      ),
    ).toMatchObject({ status: 409, details: [{ path: 'body.adminAddress' }] });
    expect(
      (await c.database.prisma.proxy.findMany({ select: { instanceId: true } })).map(
        (row) => row.instanceId,
      ),
    ).toEqual(['catalog-1']);

    // The owner heartbeats as before; once it is stale, a restarted proxy takes its addresses.
    expect((await register('catalog-1', real)).statusCode).toBe(200);
    await c.app.registry.markStale(new Date(Date.now() + 60_000));
    expect((await register('catalog-8', real)).statusCode).toBe(200);
    // The old instance coming back finds its addresses taken.
    expect(problem(await register('catalog-1', real))).toMatchObject({
      status: 409,
      code: 'address-in-use',
    });
  });
});
