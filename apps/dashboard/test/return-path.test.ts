import { describe, expect, it } from 'vitest';
import { loginPath, returnPath } from '../src/server/return-path';

describe('the post-sign-in return address', () => {
  it.each([
    ['/', '/'],
    ['/topology', '/topology'],
    [
      '/services/catalog/routes/get-item?window=15m#latency',
      '/services/catalog/routes/get-item?window=15m#latency',
    ],
    ['/services/caf%C3%A9', '/services/caf%C3%A9'],
    ['/policies/../topology', '/topology'],
  ])('keeps the path %s on this dashboard', (requested, expected) => {
    expect(returnPath(requested)).toBe(expected);
  });

  it.each([
    null,
    undefined,
    '',
    'topology',
    '//evil.example/',
    '///evil.example/',
    '/\\evil.example/',
    '\\\\evil.example/',
    '/%2F%2Fevil.example/',
    '/%2f%2fevil.example/',
    '/%5Cevil.example/',
    '/%5c%5cevil.example/',
    '/%252F%252Fevil.example/',
    '/%25252F%25252Fevil.example/',
    '/%09/evil.example/',
    '/\t/evil.example/',
    '/\n/evil.example/',
    'https://evil.example/',
    'http:/evil.example/',
    'javascript:alert(1)',
    '/%E0%A4%A',
    `/${'%25'.repeat(8)}2F`,
  ])('refuses %j', (requested) => {
    expect(returnPath(requested)).toBe('/');
  });

  it('puts the page asked for on the sign-in link, encoded', () => {
    expect(loginPath('/services/catalog?window=1h')).toBe(
      '/login?next=%2Fservices%2Fcatalog%3Fwindow%3D1h',
    );
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('//evil.example')).toBe('/login');
  });
});
