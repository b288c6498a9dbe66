import { webcrypto } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import type { IssuedCertificate } from '@trellis/contracts';
import { x509 } from './x509.js';

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A certificate is renewed when this share of its lifetime has passed, as Linkerd does. */
export const RENEW_AT = 0.7;
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;

/** What this proxy proves itself with, and checks its peers against, until the next renewal. */
export interface Credentials {
  spiffeId: string;
  notAfter: Date;
  /** The in-memory key, the certificate with its chain, and the trust anchor, for node:tls. */
  tls: SecureContextOptions;
}

export interface WorkloadIdentityOptions {
  service: string;
  /** Sends the signing request to the control plane; rejects when it cannot. */
  requestCertificate: (csr: string) => Promise<IssuedCertificate>;
  log: (line: string) => void;
}

/**
 * This proxy's workload identity. The key pair is made in memory at start and never leaves
 * the process; a signing request for it goes to the control plane, which answers with a
 * certificate naming the service's SPIFFE ID. It is renewed at 70 % of its lifetime; while
 * the control plane is unreachable the current certificate stays in use and the request is
 * retried with backoff.
 */
export class WorkloadIdentity {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private keyPem: string | undefined;
  private csr: string | undefined;
  current: Credentials | undefined;

  constructor(private readonly options: WorkloadIdentityOptions) {}

  start(): void {
    void this.renew();
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async renew(): Promise<void> {
    let delayMs: number;
    try {
      const issued = await this.options.requestCertificate(await this.signingRequest());
      if (this.stopped) return;
      const credentials = this.credentialsOf(issued);
      this.current = credentials;
      if (this.failures > 0)
        this.options.log(`certificate renewed after ${this.failures} failures`);
      this.failures = 0;
      const now = Date.now();
      delayMs = Math.max(1_000, (credentials.notAfter.getTime() - now) * RENEW_AT);
    } catch (error) {
      if (this.stopped) return;
      if (this.failures++ === 0) {
        const keeping = this.current
          ? `keeping the current one until ${this.current.notAfter.toISOString()}`
          : 'it has none meanwhile';
        this.options.log(
          `certificate request failed, retrying with backoff (${keeping}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      delayMs =
        Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(this.failures, 16));
    }
    this.timer = setTimeout(() => void this.renew(), delayMs).unref();
  }

  private async signingRequest(): Promise<string> {
    if (this.csr !== undefined) return this.csr;
    const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    this.keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: `CN=${this.options.service}`,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    this.csr = request.toString('pem');
    return this.csr;
  }

  private credentialsOf(issued: IssuedCertificate): Credentials {
    return {
      spiffeId: issued.spiffeId,
      notAfter: new Date(issued.notAfter),
      tls: {
        key: this.keyPem!,
        cert: [issued.certificate, ...issued.chain].join('\n'),
        ca: issued.trustAnchor,
        minVersion: 'TLSv1.3',
      },
    };
  }
}
