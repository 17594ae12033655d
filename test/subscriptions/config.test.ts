// The live registration settings read from the environment: defaults, and start-up errors that name the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('live registration settings', () => {
  it('default to polling every 5 s, in memory, with subscribers’ tokens', () => {
    expect(loadConfig({})).toMatchObject({
      registrationPollMs: 5_000,
      subscriptionQueueSize: 1_000,
      redisUrl: undefined,
      redisKeyPrefix: 'kazoo-gateway:',
      redisLeaseMs: 15_000,
      serviceLogin: undefined,
    });
  });

  it('read Redis, the poll interval, the queue size and a service credential', () => {
    expect(
      loadConfig({
        REDIS_URL: 'redis://:secret@redis:6379/2',
        REDIS_KEY_PREFIX: 'gw-blue:',
        REDIS_LEASE_MS: '5000',
        REGISTRATION_POLL_MS: '2000',
        SUBSCRIPTION_QUEUE_SIZE: '50',
        KAZOO_USERNAME: 'poller',
        KAZOO_PASSWORD: 'p4ss word',
        KAZOO_ACCOUNT_NAME: 'reseller',
      }),
    ).toMatchObject({
      redisUrl: 'redis://:secret@redis:6379/2',
      redisKeyPrefix: 'gw-blue:',
      redisLeaseMs: 5_000,
      registrationPollMs: 2_000,
      subscriptionQueueSize: 50,
      serviceLogin: { username: 'poller', password: 'p4ss word', accountName: 'reseller' },
    });
    expect(loadConfig({ KAZOO_API_KEY: 'key' }).serviceLogin).toEqual({ apiKey: 'key' });
  });

  it.each([
    [{ REGISTRATION_POLL_MS: '10' }, /REGISTRATION_POLL_MS/],
    [{ SUBSCRIPTION_QUEUE_SIZE: '0' }, /SUBSCRIPTION_QUEUE_SIZE/],
    [{ REDIS_LEASE_MS: 'soon' }, /REDIS_LEASE_MS/],
    [{ REDIS_URL: 'http://redis:6379' }, /REDIS_URL/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL/],
    [{ REDIS_KEY_PREFIX: 'with space' }, /REDIS_KEY_PREFIX/],
    [{ KAZOO_USERNAME: 'poller', KAZOO_PASSWORD: 'secret' }, /KAZOO_ACCOUNT_NAME/],
    [{ KAZOO_API_KEY: 'key', KAZOO_USERNAME: 'poller' }, /either KAZOO_API_KEY/],
  ])('refuse %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeat a password in an error', () => {
    expect(() => loadConfig({ REDIS_URL: 'ftp://user:hunter2@redis' })).toThrow(/^(?!.*hunter2)/);
    expect(() => loadConfig({ KAZOO_USERNAME: 'poller', KAZOO_PASSWORD: 'hunter2' })).toThrow(/^(?!.*hunter2)/);
  });
});
