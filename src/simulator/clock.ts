// Time helpers: Kazoo stores timestamps (pvt_created, event_timestamp, created_from ...) in Gregorian seconds.

/** Seconds between 0000-01-01 and 1970-01-01, as in Erlang's calendar module. */
const GREGORIAN_EPOCH_OFFSET = 62_167_219_200;

export function gregorianSeconds(ms: number = Date.now()): number {
  return Math.floor(ms / 1000) + GREGORIAN_EPOCH_OFFSET;
}

export function unixSeconds(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}

/** ISO-8601 without milliseconds, like kz_time:iso8601/1. */
export function isoTimestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
