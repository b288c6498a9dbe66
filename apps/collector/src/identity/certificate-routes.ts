import { CertificateRequestSchema, IssuedCertificateSchema } from '@trellis/contracts';
import { principalOf, requireServiceBinding } from '../auth/require-role.js';
import type { ApiServer } from '../http/api-server.js';
import type { CertificateAuthority } from './certificate-authority.js';

export function registerCertificateRoutes(app: ApiServer, authority: CertificateAuthority): void {
  app.post(
    '/v1/certificates',
    {
      config: { access: 'proxy' },
      schema: {
        tags: ['identity'],
        summary: "Sign a proxy's certificate signing request",
        description:
          "The body names the service and carries a PEM PKCS #10 request for an ECDSA P-256 key. The answer is a leaf certificate whose only subject alternative name is the service's SPIFFE ID, the issuer chain and the trust anchor. A proxy token gets certificates only for the service it is bound to (403 service-not-bound); a request that does not parse or whose signature does not match its key is 400 invalid-csr.",
        body: CertificateRequestSchema,
        response: { 200: IssuedCertificateSchema },
      },
    },
    async (request) => {
      requireServiceBinding(principalOf(request), request.body.service);
      return authority.issue(request.body.service, request.body.csr);
    },
  );
}
