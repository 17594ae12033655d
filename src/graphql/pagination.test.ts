// The signed cursors `paginate` hands out.
import { describe, expect, it } from 'vitest';
import { isKazooError } from '../kazoo/errors.js';
import { CursorCodec } from './pagination.js';

describe('cursors', () => {
  const refused = (codec: CursorCodec, cursor: string) => {
    try {
      codec.decode(cursor);
    } catch (error) {
      return isKazooError(error) && error.code === 'INVALID_ARGUMENT' && error.message === '`after` is not a cursor this API returned';
    }
    return false;
  };

  it('name the position they were made for, on any gateway with the same key', () => {
    const cursor = new CursorCodec('k'.repeat(32)).encode({ k: 'g2gCbQAAAAE', o: 3 });
    expect(new CursorCodec('k'.repeat(32)).decode(cursor)).toEqual({ k: 'g2gCbQAAAAE', o: 3 });
    expect(cursor.length).toBeLessThan(80);
  });

  it('are refused when made with another key, altered, or forged without one', () => {
    const codec = new CursorCodec('k'.repeat(32));
    const cursor = codec.encode({ k: 'g2gCbQAAAAE', o: 3 });
    expect(refused(new CursorCodec('j'.repeat(32)), cursor)).toBe(true);
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 1;
    expect(refused(codec, bytes.toString('base64url'))).toBe(true);
    // The old unsigned shape, `{k, o}` in base64url JSON, which any client could write.
    expect(refused(codec, Buffer.from(JSON.stringify({ k: 'g2wAAAAB', o: 0 })).toString('base64url'))).toBe(true);
    expect(refused(codec, '')).toBe(true);
    expect(refused(codec, 'not-a-cursor')).toBe(true);
  });
});
