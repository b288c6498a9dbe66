export function deriveSchema(source: string, provider: 'sqlite' | 'postgresql'): string;
