-- CreateTable
CREATE TABLE "CertificateAuthority" (
    "id" TEXT NOT NULL,
    "trustAnchorPem" TEXT NOT NULL,
    "issuerCertificatePem" TEXT NOT NULL,
    "issuerKeyPem" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CertificateAuthority_pkey" PRIMARY KEY ("id")
);
