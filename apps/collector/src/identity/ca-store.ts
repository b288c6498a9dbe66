import { readFileSync } from 'node:fs';
import type { Database } from '@trellis/db';
import type { CollectorConfig } from '../config.js';
import {
  CaMaterialError,
  CertificateAuthority,
  generateCaMaterial,
} from './certificate-authority.js';

/** The one row of the CertificateAuthority table. */
const MESH_CA_ID = 'mesh';

/**
 * The mesh's certificate authority: the operator's trust anchor and issuer when the
 * `--identity-*-file` flags name them, else the one stored in the database, created on the
 * first start of the first collector. Collectors sharing a PostgreSQL database race to store
 * theirs; every one reads back the winner, so all issue under the same anchor.
 */
export async function loadCertificateAuthority(
  database: Database,
  config: CollectorConfig,
): Promise<CertificateAuthority> {
  const options = { trustDomain: config.trustDomain, lifetimeMs: config.identityLifetimeMs };
  if (
    config.identityTrustAnchorsFile !== undefined &&
    config.identityIssuerCertificateFile !== undefined &&
    config.identityIssuerKeyFile !== undefined
  ) {
    const material = {
      trustAnchorPem: readPem(config.identityTrustAnchorsFile, 'identity-trust-anchors-file'),
      issuerCertificatePem: readPem(
        config.identityIssuerCertificateFile,
        'identity-issuer-certificate-file',
      ),
      issuerKeyPem: readPem(config.identityIssuerKeyFile, 'identity-issuer-key-file'),
    };
    return CertificateAuthority.fromMaterial(material, options);
  }
  const stored = await database.prisma.certificateAuthority.findUnique({
    where: { id: MESH_CA_ID },
  });
  if (stored) return CertificateAuthority.fromMaterial(stored, options);
  const generated = await generateCaMaterial(config.trustDomain);
  await database.prisma.certificateAuthority.upsert({
    where: { id: MESH_CA_ID },
    create: { id: MESH_CA_ID, ...generated },
    update: {},
  });
  const winner = await database.prisma.certificateAuthority.findUniqueOrThrow({
    where: { id: MESH_CA_ID },
  });
  return CertificateAuthority.fromMaterial(winner, options);
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CaMaterialError(
      `--${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
