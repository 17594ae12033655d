// The wall between the browser pages and the gateway: the pages are bundled for the browser from src/ui alone, and
// the gateway may name the pages' types (their config) but never loads browser code at run time.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const UI = join(SRC, 'ui') + sep;
const SERVER = join(SRC, 'server') + sep;

/** Every relative module a source file names (`import type` included when `withTypes`), resolved to a path. */
function importedPaths(file: string, withTypes: boolean): string[] {
  const source = readFileSync(file, 'utf8');
  const pattern = withTypes ? /^(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gm : /^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'(\.[^']+)'/gm;
  return [...source.matchAll(pattern)].map((match) => resolve(dirname(file), match[1] ?? ''));
}

const sources = (directory: string): string[] =>
  readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(directory, name));

describe('the browser UI', () => {
  it('imports nothing from src/server, not even types', () => {
    const pages = sources(UI);
    expect(pages.length).toBeGreaterThan(0);
    for (const file of pages) expect(importedPaths(file, true).filter((path) => path.startsWith(SERVER)), file).toEqual([]);
  });

  it('is loaded by the gateway for its types only', () => {
    for (const file of sources(SERVER)) expect(importedPaths(file, false).filter((path) => path.startsWith(UI)), file).toEqual([]);
  });
});
