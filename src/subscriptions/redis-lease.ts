// The Redis lease that makes one gateway instance the poller of an account: SET NX PX takes it, and only the holder
// (compared by its lease id, inside a Lua script so the check and the write are one step) may extend or drop it.
// A holder that dies stops renewing; the key expires after one lease period and another instance takes it.
import type { Redis } from 'ioredis';

/** Extends the lease and the keys that live as long as it (the account's snapshot) while `lease` holds it. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
for index = 2, #KEYS do redis.call('PEXPIRE', KEYS[index], ARGV[3]) end
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

export async function acquireLease(redis: Redis, key: string, lease: string, leaseMs: number): Promise<boolean> {
  return (await redis.set(key, lease, 'PX', leaseMs, 'NX')) === 'OK';
}

export async function renewLease(
  redis: Redis,
  key: string,
  lease: string,
  leaseMs: number,
  companions: { keys: readonly string[]; ttlMs: number },
): Promise<boolean> {
  return (await redis.eval(RENEW, 1 + companions.keys.length, key, ...companions.keys, lease, leaseMs, companions.ttlMs)) === 1;
}

export async function releaseLease(redis: Redis, key: string, lease: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, lease);
}
