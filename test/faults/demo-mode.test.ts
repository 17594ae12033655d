// Demo mode (`npm start` without KAZOO_URL) serves pages that hand out a live demo token: it must not listen beyond
// this machine unless the operator asks for it with HOST.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { startGatewayProcess } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';

let running: GatewayProcess | undefined;
afterEach(() => {
  running?.kill();
  running = undefined;
});

const listeningAddress = (gateway: GatewayProcess): unknown => gateway.logs.find((entry) => entry.msg === 'gateway listening')?.address;

describe('where the gateway listens', () => {
  it('demo mode listens on 127.0.0.1 when HOST is not set', async () => {
    running = await startGatewayProcess({ HOST: '', KAZOO_URL: '' });
    expect(listeningAddress(running)).toBe('127.0.0.1');
  });

  it('demo mode listens where HOST says when it is set', async () => {
    running = await startGatewayProcess({ HOST: '0.0.0.0', KAZOO_URL: '' });
    expect(listeningAddress(running)).toBe('0.0.0.0');
  });

  it('with a real Kazoo, all interfaces by default', async () => {
    const simulator = await startSimulator({ rateLimit: false });
    try {
      const gateway = await startGatewayProcess({ HOST: '', KAZOO_URL: simulator.url });
      running = gateway;
      expect(listeningAddress(gateway)).toBe('0.0.0.0');
      gateway.kill();
      await gateway.exited;
    } finally {
      await simulator.close();
    }
  });
});
