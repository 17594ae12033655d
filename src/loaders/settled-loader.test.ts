// peek() answers at once for what a loader already holds, loaded or primed, and never for failures or keys in flight.
import { describe, expect, it } from 'vitest';
import { SettledLoader } from './settled-loader.js';

describe('SettledLoader', () => {
  it('peeks loaded and primed values, but not values still loading or failed', async () => {
    const batches: string[][] = [];
    const loader = new SettledLoader<string, string>(async (keys) => {
      batches.push([...keys]);
      return keys.map((key) => (key === 'bad' ? new Error('no such key') : key.toUpperCase()));
    });
    loader.prime('primed', 'from a listing');
    const loading = loader.load('a');
    expect(loader.peek('a')).toBeUndefined();
    await loading;
    await expect(loader.load('bad')).rejects.toThrow('no such key');
    expect(loader.peek('a')).toEqual({ value: 'A' });
    expect(loader.peek('primed')).toEqual({ value: 'from a listing' });
    expect(await loader.load('primed')).toBe('from a listing');
    expect(loader.peek('bad')).toBeUndefined();
    loader.prime('failed', new Error('primed failure'));
    expect(loader.peek('failed')).toBeUndefined();
    expect(batches).toEqual([['a'], ['bad']]);
  });
});
