import { z } from 'zod';
import { ServiceNameSchema } from './policy.js';

/**
 * Workload identity: the collector is the mesh's certificate authority. A proxy sends a
 * certificate signing request for its service (`POST /v1/certificates`, with a proxy token
 * bound to that service) and gets a leaf certificate whose only subject alternative name is
 * the service's SPIFFE ID.
 */

export const DEFAULT_TRUST_DOMAIN = 'trellis.local';

/** A trust domain is a DNS name: lowercase labels joined by dots. */
export const TrustDomainSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    'a DNS name: lowercase letters, digits, "-" and "."',
  );

/** `spiffe://<trust domain>/service/<name>`: the one identity a service's certificate names. */
export function spiffeId(trustDomain: string, service: string): string {
  return `spiffe://${trustDomain}/service/${service}`;
}

const SPIFFE_SERVICE = /^spiffe:\/\/([^/]+)\/service\/([a-z0-9]([a-z0-9-]*[a-z0-9])?)$/;

/** The service a SPIFFE ID of `trustDomain` names, or undefined for any other URI. */
export function serviceOfSpiffeId(uri: string, trustDomain: string): string | undefined {
  const match = SPIFFE_SERVICE.exec(uri);
  return match && match[1] === trustDomain ? match[2] : undefined;
}

/** A PEM block is small; a bound keeps hostile requests from costing the collector much. */
const PemSchema = z.string().min(1).max(16_384);

export const CertificateRequestSchema = z.strictObject({
  service: ServiceNameSchema,
  /** PKCS #10 certificate signing request, PEM; an ECDSA P-256 key. */
  csr: PemSchema,
});

export const IssuedCertificateSchema = z.strictObject({
  spiffeId: z.string(),
  /** The leaf certificate, PEM. */
  certificate: PemSchema,
  /** The intermediate certificates from the leaf up to the trust anchor, PEM, leaf-most first. */
  chain: z.array(PemSchema),
  /** The trust anchor peers' certificates must chain to, PEM. */
  trustAnchor: PemSchema,
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
});

export type CertificateRequest = z.infer<typeof CertificateRequestSchema>;
export type IssuedCertificate = z.infer<typeof IssuedCertificateSchema>;
