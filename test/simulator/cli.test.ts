// Simulator-only: `npm run simulator` prints how to reach the demo account and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { describeSimulatorOnly, md5 } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function startCli(args: string[], env: Record<string, string> = {}): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child?.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('control routes:')) resolve(output);
    });
    child?.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${output}`)));
  });
}

describeSimulatorOnly('cli', () => {
  it('prints the base URL, account id, API key and demo credentials, serves them, and exits 0 on SIGTERM', async () => {
    const output = await startCli(['--port', '0', '--host', '127.0.0.1', '--token-ttl', '60'], { SIM_DEMO_PASSWORD: 'from-env' });
    const url = output.match(/listening on (http:\/\/\S+)\/v2/)?.[1];
    const accountId = output.match(/\(([0-9a-f]{32})\)/)?.[1];
    const apiKey = output.match(/api key:\s+([0-9a-f]{64})/)?.[1];
    expect(output).toContain('admin / from-env');
    expect(url && accountId && apiKey).toBeTruthy();
    const login = await fetch(`${url}/v2/user_auth`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { credentials: md5('admin:from-env'), account_name: 'demo' } }),
    });
    expect(login.status).toBe(201);
    const apiAuth = await fetch(`${url}/v2/api_auth`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { api_key: apiKey } }),
    });
    expect(((await apiAuth.json()) as { data: { account_id: string } }).data.account_id).toBe(accountId);
    const exited = once(child as ChildProcess, 'exit');
    child?.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
