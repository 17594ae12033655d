// Ids go into URL paths: whatever is accepted as a Kazoo id must be exactly 32 lower-case hex characters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertKazooId, isKazooId } from './paths.js';

const KAZOO_ID_SHAPE = /^[0-9a-f]{32}$/;
const valid = '0123456789abcdef0123456789abcdef';

describe('Kazoo ids', () => {
  it('accepts exactly 32 lower-case hex characters', () => {
    expect(isKazooId(valid)).toBe(true);
    for (const bad of [valid.toUpperCase(), valid.slice(1), `${valid}0`, `${valid.slice(0, 31)}g`, `${valid.slice(0, 31)}/`,
      `../${valid.slice(3)}`, `${valid.slice(0, 31)}\n`, '', 42, null, undefined]) {
      expect(isKazooId(bad)).toBe(false);
    }
    expect(() => assertKazooId('../users', 'id')).toThrow(/id must be a Kazoo id/);
  });

  it('agrees with the id shape on any string', () => {
    const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg/.%-'), minLength: 30, maxLength: 34 });
    fc.assert(fc.property(fc.oneof(hexish, fc.string()), (value) => isKazooId(value) === KAZOO_ID_SHAPE.test(value)), { numRuns: 5_000 });
  });
});
