// Kazoo's schema patterns are PCRE, matched by jesse with Erlang's re:run(Subject, Pattern, [unicode]).
// This turns them into equivalent JavaScript regular expressions. Where the two dialects differ for
// the constructs Kazoo's schemas use:
// - `$` (no multiline, no dollar_endonly) also matches before a final "\n": "abc\n" matches `^abc$`;
// - `.` excludes only "\n" (Erlang's default newline), where JavaScript also excludes "\r", U+2028, U+2029;
// - POSIX classes such as `[[:alnum:]_]` are PCRE syntax (ASCII-only without the `ucp` option);
// - a `]` right after `[` or `[^` is a literal in PCRE and closes an empty class in JavaScript.
// `\w` and `\d` are ASCII-only in both (no `ucp`), and ranges such as `A-z` (which also covers
// "[", "\", "]", "^", "_" and "`") mean the same code-point range in both.

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
};

// Escapes whose meaning is the same in PCRE and in JavaScript's `u` mode.
const PORTABLE_ESCAPES = new Set(['w', 'W', 'd', 'D', '\\', '/', '-', '.', '+', '*', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$']);

function escapeAt(pattern: string, index: number): string {
  const escaped = pattern[index + 1];
  if (escaped === undefined || !PORTABLE_ESCAPES.has(escaped)) {
    throw new Error(`Unsupported PCRE escape \\${escaped ?? ''} in pattern ${pattern}`);
  }
  return `\\${escaped}`;
}

/** Translates a bracket expression starting at `start` ("["); returns it and the index after its "]". */
function translateClass(pattern: string, start: number): { source: string; next: number } {
  let source = '[';
  let index = start + 1;
  if (pattern[index] === '^') {
    source += '^';
    index += 1;
  }
  if (pattern[index] === ']') {
    source += '\\]';
    index += 1;
  }
  while (index < pattern.length) {
    const char = pattern[index];
    if (char === ']') return { source: `${source}]`, next: index + 1 };
    if (char === '\\') {
      source += escapeAt(pattern, index);
      index += 2;
    } else if (char === '[' && pattern[index + 1] === ':') {
      const end = pattern.indexOf(':]', index + 2);
      const name = end === -1 ? undefined : pattern.slice(index + 2, end);
      const range = name === undefined ? undefined : POSIX_CLASSES[name];
      if (range === undefined || end === -1) throw new Error(`Unsupported POSIX class in pattern ${pattern}`);
      source += range;
      index = end + 2;
    } else if (char === '[') {
      source += '\\[';
      index += 1;
    } else {
      source += char;
      index += 1;
    }
  }
  throw new Error(`Unterminated character class in pattern ${pattern}`);
}

/** The JavaScript source (for the `u` flag) that matches what PCRE matches with `pattern`. */
function pcreToJavaScript(pattern: string): string {
  let source = '';
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    if (char === '\\') {
      source += escapeAt(pattern, index);
      index += 2;
    } else if (char === '[') {
      const translated = translateClass(pattern, index);
      source += translated.source;
      index = translated.next;
    } else {
      if (char === '$') source += '(?=\\n?$)';
      else if (char === '.') source += '[^\\n]';
      else source += char;
      index += 1;
    }
  }
  return source;
}

const compiled = new Map<string, RegExp>();

/** re:run(Subject, Pattern, [{capture, none}, unicode]) =:= match (unanchored, like PCRE). */
export function pcreMatches(pattern: string, subject: string): boolean {
  let regExp = compiled.get(pattern);
  if (regExp === undefined) {
    regExp = new RegExp(pcreToJavaScript(pattern), 'u');
    compiled.set(pattern, regExp);
  }
  return regExp.test(subject);
}
