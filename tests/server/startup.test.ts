// Bad start-up input gets one clear line on stderr and exit code 1, never a stack trace.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function runServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...process.env, SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('start-up errors', () => {
  it('says the port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runServer({ PORT: String(port), DATABASE_URL: inject('databaseUrl') });
      expect(code).toBe(1);
      expectOneLine(stderr, new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('says nothing listens at an unreachable DATABASE_URL', async () => {
    const { code, stderr } = await runServer({ DATABASE_URL: 'postgres://postgres@127.0.0.1:9/nowhere' });
    expect(code).toBe(1);
    expectOneLine(stderr, /cannot connect to the database at postgres:\/\/postgres@127\.0\.0\.1:9\/nowhere: nothing is listening/);
  });

  it('says what is wrong with a malformed DATABASE_URL', async () => {
    const { code, stderr } = await runServer({ DATABASE_URL: 'mysql://root@localhost/x' });
    expect(code).toBe(1);
    expectOneLine(stderr, /DATABASE_URL must start with postgres:\/\//);
  });

  it('says what is wrong with PORT', async () => {
    const { code, stderr } = await runServer({ PORT: 'eighty' });
    expect(code).toBe(1);
    expectOneLine(stderr, /PORT=eighty is not a whole number/);
  });
});
