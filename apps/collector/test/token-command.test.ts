import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Provider } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { hashToken } from '../src/auth/token-store.js';
import { runCollector, startCollector } from './helpers/collector-process.js';

const TOKEN = /^trellis_[A-Za-z0-9_-]{43}$/;

const databases: TestDatabase[] = [];
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

async function freshDatabase(provider: Provider): Promise<string> {
  const database = await createTestDatabase(provider);
  databases.push(database);
  return database.url;
}

function scratchDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'trellis-cwd-'));
  directories.push(directory);
  return directory;
}

describe.each(testProviders())('trellis-collector token on %s', (provider) => {
  it('creates, lists and revokes tokens', async () => {
    const url = await freshDatabase(provider);
    const created = await runCollector([
      'token',
      'create',
      '--role',
      'viewer',
      '--name',
      'dashboard',
      '--database-url',
      url,
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(TOKEN);

    const list = await runCollector(['token', 'list', '--database-url', url]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n').slice(-2);
    expect(lines[0]).toBe('NAME\tROLE\tSERVICE\tCREATED\tLAST USED\tREVOKED');
    expect(lines[1]).toMatch(/^dashboard\tviewer\t-\t\S+\t-\t-$/);
    expect(list.stdout).not.toContain(token);

    const duplicate = await runCollector([
      'token',
      'create',
      '--role',
      'operator',
      '--name',
      'dashboard',
      '--database-url',
      url,
    ]);
    expect(duplicate).toMatchObject({
      code: 1,
      stderr: 'trellis-collector: an active token is already named "dashboard"\n',
    });

    const revoked = await runCollector([
      'token',
      'revoke',
      '--name',
      'dashboard',
      '--database-url',
      url,
    ]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim().split('\n').at(-1)).toBe('revoked token "dashboard"');
    const database = await openDatabase(url);
    try {
      const row = await database.prisma.apiToken.findFirstOrThrow({ where: { name: 'dashboard' } });
      expect(row.tokenHash).toBe(hashToken(token));
      expect(row.revokedAt).not.toBeNull();
    } finally {
      await database.close();
    }
  });

  it('creates an operator token on first start, in a file only its owner can read', async () => {
    const url = await freshDatabase(provider);
    const cwd = scratchDirectory();
    const dataDir = provider === 'sqlite' ? join(cwd, 'db') : join(cwd, 'data');
    const databaseUrl = provider === 'sqlite' ? `file:${join(dataDir, 'trellis.db')}` : url;
    const collector = await startCollector(['--database-url', databaseUrl], cwd);
    let token: string;
    try {
      const file = join(dataDir, 'operator.token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      token = readFileSync(file, 'utf8').trim();
      expect(token).toMatch(TOKEN);
      expect(collector.stdout()).toContain(`${token}\n`);
      const whoami = await fetch(`${collector.url}/v1/whoami`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await whoami.json()).toEqual({ name: 'operator', role: 'operator' });
      // Tokens are made while the collector runs: the command must not need its database lock.
      const proxyToken = await runCollector(
        [
          'token',
          'create',
          '--role',
          'proxy',
          '--service',
          'catalog',
          '--name',
          'catalog-1',
          '--database-url',
          databaseUrl,
        ],
        cwd,
      );
      expect(proxyToken.code).toBe(0);
      const asProxy = await fetch(`${collector.url}/v1/whoami`, {
        headers: { authorization: `Bearer ${proxyToken.stdout.trim()}` },
      });
      expect(await asProxy.json()).toEqual({
        name: 'catalog-1',
        role: 'proxy',
        service: 'catalog',
      });
    } finally {
      await collector.stop();
    }
    // A second start finds a token and creates none.
    const second = await startCollector(['--database-url', databaseUrl], cwd);
    await second.stop();
    expect(second.stdout()).not.toContain('operator token');
    expect(readFileSync(join(dataDir, 'operator.token'), 'utf8').trim()).toBe(token);
  });
});

describe('trellis-collector token usage errors', () => {
  it('names what is missing in one line', async () => {
    expect(await runCollector(['token', 'create', '--name', 'x'])).toMatchObject({
      code: 1,
      stderr: 'trellis-collector: --role must be viewer, operator or proxy\n',
    });
    const noName = await runCollector(['token', 'revoke']);
    expect(noName.code).toBe(1);
    expect(noName.stderr).toMatch(/^trellis-collector: --name is required; usage: /);
    expect(noName.stderr.split('\n')).toHaveLength(2);
  });

  it('binds proxy tokens, and only them, to a service', async () => {
    expect(await runCollector(['token', 'create', '--role', 'proxy', '--name', 'x'])).toMatchObject(
      {
        code: 1,
        stderr:
          'trellis-collector: --service is required with --role proxy: trellis-collector token create --role proxy --service SERVICE --name NAME\n',
      },
    );
    expect(
      await runCollector(['token', 'create', '--role', 'viewer', '--service', 'a', '--name', 'x']),
    ).toMatchObject({
      code: 1,
      stderr: 'trellis-collector: --service binds proxy tokens only; a viewer token takes none\n',
    });
    expect(
      await runCollector(['token', 'create', '--role', 'proxy', '--service', 'A!', '--name', 'x']),
    ).toMatchObject({
      code: 1,
      stderr: 'trellis-collector: --service: a DNS label: lowercase letters, digits and "-"\n',
    });
  });
});
