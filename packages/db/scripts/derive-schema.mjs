// The one source schema (prisma/schema.prisma) is written for SQLite; a provider's schema
// differs only in its provider and its client's output folder.
export function deriveSchema(source, provider) {
  const schema = source
    .replace(/provider\s*=\s*"sqlite"/, `provider = "${provider}"`)
    .replace(
      /output\s*=\s*"\.\.\/packages\/db\/src\/generated\/sqlite"/,
      `output = "../src/generated/${provider}"`,
    );
  if (!schema.includes(`provider = "${provider}"`) || !schema.includes(`generated/${provider}"`)) {
    throw new Error(
      `prisma/schema.prisma: cannot derive the ${provider} schema (its provider or output line changed)`,
    );
  }
  return schema;
}
