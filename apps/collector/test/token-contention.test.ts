import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '@trellis/db';
import { createTestDatabase, testProviders, type TestDatabase } from '@trellis/db/testing';
import { createToken } from '../src/auth/token-store.js';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

// Another process writing as fast as it can, as a busy collector does, until stdin closes.
const WRITER = `
import { openDatabase } from '@trellis/db';
const database = await openDatabase(process.argv[1]);
let open = true;
process.stdin.on('end', () => (open = false)).resume();
let writes = 0;
while (open) {
  await database.prisma.service.create({ data: { name: 'service-' + writes++ } });
  if (writes === 1) console.log('writing');
  await new Promise((resolve) => setImmediate(resolve));
}
await database.close();
console.log(writes);
`;

describe.each(testProviders())('token create beside a busy writer on %s', (provider) => {
  it('succeeds every time while another process keeps writing', async () => {
    const testDatabase = await createTestDatabase(provider);
    databases.push(testDatabase);
    await migrate(testDatabase.url);
    const writer = spawn(
      process.execPath,
      ['--input-type=module', '-e', WRITER, testDatabase.url],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let output = '';
    writer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('writing')) await once(writer.stdout, 'data');
    const command = await openDatabase(testDatabase.url);
    try {
      for (let i = 0; i < 200; i++) {
        await createToken(command, { role: 'viewer', name: `viewer-${i}` });
      }
      expect(await command.prisma.apiToken.count()).toBe(200);
    } finally {
      await command.close();
      writer.stdin.end();
      await once(writer, 'exit');
    }
    // The writer really was writing throughout.
    expect(Number(output.trim().split('\n').at(-1))).toBeGreaterThan(200);
  });
});
