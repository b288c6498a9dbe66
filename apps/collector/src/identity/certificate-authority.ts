import { randomBytes, webcrypto } from 'node:crypto';
import { API_ERRORS, spiffeId, type IssuedCertificate } from '@trellis/contracts';
import { ApiError } from '../http/api-error.js';
import { x509 } from './x509.js';

type CryptoKey = webcrypto.CryptoKey;

/** Every key in the mesh is ECDSA P-256: fast handshakes, and one algorithm to reason about. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Clocks of collectors and proxies differ a little; a fresh leaf is valid from a minute ago. */
const BACKDATE_MS = 60_000;

/** The trust anchor's certificate and the issuer's certificate and private key, PEM. */
export interface CaMaterial {
  trustAnchorPem: string;
  issuerCertificatePem: string;
  issuerKeyPem: string;
}

/** Why a trust anchor or issuer cannot be used; the collector refuses to start with it. */
export class CaMaterialError extends Error {
  readonly code = 'invalid-identity';
}

/**
 * The mesh's certificate authority: signs each proxy's certificate signing request with the
 * issuer, which chains to the trust anchor peers verify against. The issuer's key stays in
 * this object; nothing here serves or logs it.
 */
export class CertificateAuthority {
  private constructor(
    private readonly trustAnchor: x509.X509Certificate,
    private readonly issuer: x509.X509Certificate,
    private readonly issuerKey: CryptoKey,
    readonly trustDomain: string,
    readonly lifetimeMs: number,
  ) {}

  /** Checks that the issuer is a CA signed by the anchor, holds `issuerKeyPem`, and is current. */
  static async fromMaterial(
    material: CaMaterial,
    { trustDomain, lifetimeMs, now = new Date() }: CaOptions,
  ): Promise<CertificateAuthority> {
    const trustAnchor = parseCertificate(material.trustAnchorPem, 'trust anchor');
    const issuer = parseCertificate(material.issuerCertificatePem, 'issuer certificate');
    const issuerKey = await importIssuerKey(material.issuerKeyPem);
    if (!isCa(trustAnchor)) throw new CaMaterialError('the trust anchor is not a CA certificate');
    if (!isCa(issuer)) throw new CaMaterialError('the issuer certificate is not a CA certificate');
    if (!(await issuer.verify({ publicKey: trustAnchor.publicKey, signatureOnly: true }))) {
      throw new CaMaterialError('the issuer certificate is not signed by the trust anchor');
    }
    for (const [what, certificate] of [
      ['trust anchor', trustAnchor],
      ['issuer certificate', issuer],
    ] as const) {
      if (now < certificate.notBefore || now > certificate.notAfter) {
        throw new CaMaterialError(
          `the ${what} is valid only from ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`,
        );
      }
    }
    const probe = randomBytes(32);
    const signature = await webcrypto.subtle.sign(SIGNING_ALGORITHM, issuerKey, probe);
    const issuerPublic = await issuer.publicKey.export(KEY_ALGORITHM, ['verify']);
    if (!(await webcrypto.subtle.verify(SIGNING_ALGORITHM, issuerPublic, signature, probe))) {
      throw new CaMaterialError('the issuer key does not belong to the issuer certificate');
    }
    return new CertificateAuthority(trustAnchor, issuer, issuerKey, trustDomain, lifetimeMs);
  }

  get trustAnchorPem(): string {
    return this.trustAnchor.toString('pem');
  }

  /**
   * A leaf certificate for `service` with the key of `csrPem`. Whatever names the request
   * asks for, the certificate names only the service's SPIFFE ID: the caller's token decided
   * the service, not the request.
   */
  async issue(service: string, csrPem: string, now = new Date()): Promise<IssuedCertificate> {
    const publicKey = await requestedKey(csrPem);
    const id = spiffeId(this.trustDomain, service);
    const notBefore = new Date(now.getTime() - BACKDATE_MS);
    const notAfter = new Date(
      Math.min(now.getTime() + this.lifetimeMs, this.issuer.notAfter.getTime()),
    );
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${service}`,
      issuer: this.issuer.subject,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey,
      signingKey: this.issuerKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(
          [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: id }], true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.issuer),
      ],
    });
    return {
      spiffeId: id,
      certificate: leaf.toString('pem'),
      chain: [this.issuer.toString('pem')],
      trustAnchor: this.trustAnchorPem,
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
    };
  }
}

export interface CaOptions {
  trustDomain: string;
  lifetimeMs: number;
  now?: Date;
}

/**
 * A new trust anchor (self-signed, ECDSA P-256, one year) and an issuer it signs for the
 * same year. The anchor's key signs once and is dropped: nothing can sign as the anchor
 * again, so a leaked database yields the issuer, never the anchor.
 */
export async function generateCaMaterial(
  trustDomain: string,
  now = new Date(),
): Promise<CaMaterial> {
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + 365 * 86_400_000);
  const anchorKeys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, false, ['sign', 'verify']);
  const issuerKeys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const caExtensions = async (publicKey: CryptoKey, pathLength: number | undefined) => [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
  const anchor = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=root.${trustDomain}`,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    keys: anchorKeys,
    extensions: await caExtensions(anchorKeys.publicKey, 1),
  });
  const issuer = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=identity.${trustDomain}`,
    issuer: anchor.subject,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: issuerKeys.publicKey,
    signingKey: anchorKeys.privateKey,
    extensions: [
      ...(await caExtensions(issuerKeys.publicKey, 0)),
      await x509.AuthorityKeyIdentifierExtension.create(anchor),
    ],
  });
  const issuerKey = await webcrypto.subtle.exportKey('pkcs8', issuerKeys.privateKey);
  return {
    trustAnchorPem: anchor.toString('pem'),
    issuerCertificatePem: issuer.toString('pem'),
    issuerKeyPem: x509.PemConverter.encode(issuerKey, 'PRIVATE KEY'),
  };
}

function parseCertificate(pem: string, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw new CaMaterialError(`the ${what} is not a PEM certificate`);
  }
}

async function importIssuerKey(pem: string): Promise<CryptoKey> {
  try {
    return await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(pem),
      KEY_ALGORITHM,
      false,
      ['sign'],
    );
  } catch {
    throw new CaMaterialError('the issuer key is not an ECDSA P-256 private key in PKCS #8 PEM');
  }
}

function isCa(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

/** The request's public key, once its signature proves the sender holds the private key. */
async function requestedKey(csrPem: string): Promise<CryptoKey> {
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new ApiError(
      API_ERRORS.invalidCsr,
      'csr is not a PEM PKCS #10 certificate signing request',
    );
  }
  const algorithm = request.publicKey.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
    throw new ApiError(API_ERRORS.invalidCsr, 'csr must carry an ECDSA P-256 key');
  }
  if (!(await request.verify().catch(() => false))) {
    throw new ApiError(API_ERRORS.invalidCsr, 'the csr signature does not match its key');
  }
  return request.publicKey.export(KEY_ALGORITHM, ['verify']);
}

/** 16 random bytes with the top bit clear: positive and unguessable, as RFC 5280 asks. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
