// Structured JSON logs (pino). Secrets are redacted by path wherever they may appear, so a token or password
// passed to a log call by mistake is still not written.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

const REDACTED_PATHS = [
  'token',
  'authToken',
  'password',
  'apiKey',
  'credentials',
  '*.token',
  '*.authToken',
  '*.auth_token',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.credentials',
  'headers.authorization',
  'headers["x-auth-token"]',
  '*.headers.authorization',
  '*.headers["x-auth-token"]',
  'variables.password',
  'variables.apiKey',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'kazoo-graphql-gateway' } }, destination);
}

/**
 * A logger for the per-request lines whose fields the gateway builds itself from fixed names (request id, operation
 * name, status, duration): top-level redaction only. The wildcard paths above cost about 10 µs a line, several
 * percent of a small request's CPU, and those lines cannot carry a nested secret.
 */
export function fixedShapeLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: REDACTED_PATHS.filter((path) => !path.includes('*')), censor: '[redacted]' } });
}
