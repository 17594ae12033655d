// The gateway's configuration, from the environment. Every setting has a default that works on a fresh machine;
// a bad value stops start-up with a message naming the variable, instead of a surprise later.

export interface GatewayConfig {
  /** Crossbar base URL; undefined runs the embedded simulator. */
  kazooUrl: string | undefined;
  port: number;
  host: string;
  /** Budget of one upstream call, retries included. */
  kazooTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body. */
  maxBodyBytes: number;
  introspection: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): GatewayConfig {
  const kazooUrl = env.KAZOO_URL?.trim() || undefined;
  if (kazooUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(kazooUrl);
    } catch {
      throw new ConfigError(`KAZOO_URL must be a URL such as http://kazoo:8000, got "${kazooUrl}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`KAZOO_URL must use http or https, got "${kazooUrl}"`);
    }
    if (/\/v[12]\/?$/.test(url.pathname)) {
      throw new ConfigError(`KAZOO_URL is the Crossbar base without /v2 (the gateway adds it), got "${kazooUrl}"`);
    }
  }
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as GatewayConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return {
    kazooUrl,
    port: integer(env, 'PORT', 4000, 0, 65_535),
    host: env.HOST?.trim() || '0.0.0.0',
    kazooTimeoutMs: integer(env, 'KAZOO_TIMEOUT_MS', 10_000, 100, 600_000),
    logLevel,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_048_576, 1_024, 104_857_600),
    introspection: boolean(env, 'INTROSPECTION', true),
  };
}
