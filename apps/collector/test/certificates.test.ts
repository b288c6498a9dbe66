import { X509Certificate, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IssuedCertificateSchema, type IssuedCertificate } from '@trellis/contracts';
import { testProviders } from '@trellis/db/testing';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { generateCaMaterial } from '../src/identity/certificate-authority.js';
import { x509 } from '../src/identity/x509.js';
import { startTestCollector, type TestCollector } from './helpers/test-collector.js';

const KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A CSR as a proxy makes one: a fresh P-256 key, asking for whatever names it likes. */
async function certificateRequest(names: string[] = []): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(KEY, false, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=whoever',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: names.length
      ? [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'url', value })))]
      : [],
  });
  return csr.toString('pem');
}

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe.each(testProviders())('the collector as certificate authority on %s', (provider) => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  async function issue(
    c: TestCollector,
    token: string,
    service: string,
    csr: string,
  ): Promise<{ status: number; body: IssuedCertificate & { error?: { code: string } } }> {
    const response = await c.app.inject({
      method: 'POST',
      url: '/v1/certificates',
      headers: { authorization: `Bearer ${token}` },
      payload: { service, csr },
    });
    return { status: response.statusCode, body: response.json() };
  }

  it("signs a bound token's request with the service's SPIFFE ID as the only name", async () => {
    const c = (collector = await startTestCollector(provider));
    const before = Date.now();
    const { status, body } = await issue(
      c,
      c.tokens.proxy,
      'catalog',
      await certificateRequest(['spiffe://trellis.local/service/payments']),
    );
    expect(status).toBe(200);
    expect(IssuedCertificateSchema.parse(body).spiffeId).toBe(
      'spiffe://trellis.local/service/catalog',
    );
    const leaf = new X509Certificate(body.certificate);
    const issuer = new X509Certificate(body.chain[0]!);
    const anchor = new X509Certificate(body.trustAnchor);
    expect(body.chain).toHaveLength(1);
    expect(leaf.subjectAltName).toBe('URI:spiffe://trellis.local/service/catalog');
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(issuer.publicKey)).toBe(true);
    expect(issuer.ca).toBe(true);
    expect(issuer.verify(anchor.publicKey)).toBe(true);
    expect(anchor.verify(anchor.publicKey)).toBe(true);
    expect(anchor.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const anchorYears =
      (Date.parse(anchor.validTo) - Date.parse(anchor.validFrom)) / (365 * 86_400_000);
    expect(Math.round(anchorYears)).toBe(1);
    // 24 hours by default, from the moment of issue (valid from a minute before, for skew).
    const notAfter = Date.parse(body.notAfter);
    expect(notAfter - before).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(notAfter - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    expect(Date.parse(body.notBefore)).toBeLessThan(before);
  });

  it('refuses another service, a broken request, and never shows the issuer key', async () => {
    const c = (collector = await startTestCollector(provider));
    const elsewhere = await issue(c, c.tokens.proxy, 'payments', await certificateRequest());
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error?.code).toBe('service-not-bound');

    const good = await certificateRequest();
    // One bit of the signature flipped: it still parses, and no longer verifies.
    const der = Buffer.from(x509.PemConverter.decodeFirst(good));
    der[der.length - 5]! ^= 1;
    const tampered = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    for (const csr of ['not a csr', tampered]) {
      const refused = await issue(c, c.tokens.proxy, 'catalog', csr);
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe('invalid-csr');
    }
    const viewer = await c.app.inject({
      method: 'POST',
      url: '/v1/certificates',
      headers: c.as('viewer'),
      payload: { service: 'catalog', csr: good },
    });
    expect(viewer.statusCode).toBe(403);

    const stored = await c.database.prisma.certificateAuthority.findUniqueOrThrow({
      where: { id: 'mesh' },
    });
    const keyBody = stored.issuerKeyPem.split('\n')[1]!;
    const issued = await issue(c, c.tokens.proxy, 'catalog', good);
    const openapi = await c.app.inject({ method: 'GET', url: '/v1/openapi.json' });
    for (const text of [JSON.stringify(issued.body), openapi.body]) {
      expect(text).not.toContain(keyBody);
    }
    expect(openapi.json().paths['/v1/certificates'].post.tags).toEqual(['identity']);
  });

  it('has every collector on one database issue under the same trust anchor', async () => {
    const c = (collector = await startTestCollector(provider));
    const second = await buildApp({
      config: loadConfig(['--database-url', c.databaseUrl], {}),
      database: c.database,
      scrapeLoop: false,
    });
    try {
      expect(second.authority.trustAnchorPem).toBe(c.app.authority.trustAnchorPem);
      expect(await c.database.prisma.certificateAuthority.count()).toBe(1);
    } finally {
      await second.close();
    }
  });

  it("issues under an operator's own trust anchor and issuer, for the lifetime asked", async () => {
    const material = await generateCaMaterial('example.org');
    const directory = mkdtempSync(join(tmpdir(), 'trellis-ca-'));
    directories.push(directory);
    const files = {
      anchor: join(directory, 'ca.crt'),
      issuer: join(directory, 'issuer.crt'),
      key: join(directory, 'issuer.key'),
    };
    writeFileSync(files.anchor, material.trustAnchorPem);
    writeFileSync(files.issuer, material.issuerCertificatePem);
    writeFileSync(files.key, material.issuerKeyPem);
    const c = (collector = await startTestCollector(provider, {
      args: [
        '--trust-domain',
        'example.org',
        '--identity-issuance-lifetime',
        '30s',
        '--identity-trust-anchors-file',
        files.anchor,
        '--identity-issuer-certificate-file',
        files.issuer,
        '--identity-issuer-key-file',
        files.key,
      ],
    }));
    const before = Date.now();
    const { status, body } = await issue(c, c.tokens.proxy, 'catalog', await certificateRequest());
    expect(status).toBe(200);
    expect(body.trustAnchor).toBe(material.trustAnchorPem);
    expect(body.spiffeId).toBe('spiffe://example.org/service/catalog');
    expect(new X509Certificate(body.certificate).subjectAltName).toBe(
      'URI:spiffe://example.org/service/catalog',
    );
    const notAfter = Date.parse(body.notAfter);
    expect(notAfter - before).toBeGreaterThanOrEqual(30_000);
    expect(notAfter - Date.now()).toBeLessThanOrEqual(30_000);
    // Nothing was stored: the operator's files are the authority.
    expect(await c.database.prisma.certificateAuthority.count()).toBe(0);

    const other = await generateCaMaterial('example.org');
    writeFileSync(files.issuer, other.issuerCertificatePem);
    writeFileSync(files.key, other.issuerKeyPem);
    await expect(
      buildApp({
        config: loadConfig(
          [
            '--database-url',
            c.databaseUrl,
            '--identity-trust-anchors-file',
            files.anchor,
            '--identity-issuer-certificate-file',
            files.issuer,
            '--identity-issuer-key-file',
            files.key,
          ],
          {},
        ),
        database: c.database,
        scrapeLoop: false,
      }),
    ).rejects.toThrow('the issuer certificate is not signed by the trust anchor');
  });
});

describe('identity flags', () => {
  it('bounds the lifetime and wants the three files together', () => {
    expect(() => loadConfig(['--identity-issuance-lifetime', '10s'], {})).toThrow(
      'invalid --identity-issuance-lifetime (TRELLIS_IDENTITY_ISSUANCE_LIFETIME): between 30s and 90d, such as 30s',
    );
    expect(() => loadConfig(['--identity-trust-anchors-file', 'ca.crt'], {})).toThrow(
      'invalid --identity-issuer-certificate-file (TRELLIS_IDENTITY_ISSUER_CERTIFICATE_FILE): required with --identity-trust-anchors-file',
    );
    expect(() => loadConfig(['--trust-domain', 'Not A Domain'], {})).toThrow(
      'invalid --trust-domain (TRELLIS_TRUST_DOMAIN):',
    );
    expect(loadConfig([], {})).toMatchObject({
      trustDomain: 'trellis.local',
      identityLifetimeMs: 86_400_000,
    });
  });
});
