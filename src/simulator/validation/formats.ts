// jesse's `format` checks (jesse_validator_draft4.erl check_format/3) for the formats Kazoo's schemas
// use. Only strings are checked. `email` must match ^[^@]+@[^@]+$ (much looser than RFC 5322);
// `uri` is "not yet supported" by jesse and always passes; `regex` is not a jesse format and
// always passes (Kazoo's own regex check is the separate `kazoo-regexp` keyword, unused here).
import type { SchemaFormat } from '../schemas/index.js';
import { pcreMatches } from './pcre.js';

const JESSE_EMAIL = '^[^@]+@[^@]+$';

export function jesseAcceptsFormat(format: SchemaFormat, value: unknown): boolean {
  if (typeof value !== 'string') return true;
  switch (format) {
    case 'email':
      return pcreMatches(JESSE_EMAIL, value);
    case 'uri':
    case 'regex':
      return true;
  }
}
