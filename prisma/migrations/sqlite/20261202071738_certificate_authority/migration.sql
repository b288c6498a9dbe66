-- CreateTable
CREATE TABLE "CertificateAuthority" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trustAnchorPem" TEXT NOT NULL,
    "issuerCertificatePem" TEXT NOT NULL,
    "issuerKeyPem" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
