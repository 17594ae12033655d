// `search` over listing rows. Kazoo 4.3 cannot search devices or users (its filters compare whole values), so the
// gateway keeps the rows that hold the text itself: a case-insensitive substring of what a person would type to find
// a device (its name, SIP username or MAC address) or a user (names, username, email). MAC addresses are compared
// without their separators, since Kazoo stores them cleansed (`0004f2ab7efd`) or, in documents older than that, as
// written (`00:04:f2:ab:7e:fd`), and people type either.
import { KazooError } from '../kazoo/errors.js';
import type { KazooDeviceSummary, KazooUserSummary } from '../kazoo/types.js';

/** Longer than any name (128), username (256) or email (254) Kazoo stores, so a longer text can only be a mistake. */
const MAX_SEARCH_LENGTH = 256;
const MAC_SEPARATORS = /[:.\-\s]/g;

/** Whether a `search` argument asks for anything: an absent, empty or all-space text filters nothing. */
export function isSearch(search: unknown): search is string {
  return typeof search === 'string' && search.trim() !== '';
}

/** The text a `search` argument asks for, lower-cased; undefined when it asks for nothing. */
export function searchTerm(search: string | null | undefined, field = 'filter.search'): string | undefined {
  if (!isSearch(search)) return undefined;
  const term = search.trim();
  if (term.length > MAX_SEARCH_LENGTH) {
    throw new KazooError('INVALID_ARGUMENT', `\`${field}\` must be at most ${MAX_SEARCH_LENGTH} characters`, {
      fieldErrors: [{ field, rule: 'maxLength', message: `must be at most ${MAX_SEARCH_LENGTH} characters` }],
    });
  }
  return term.toLowerCase();
}

function holds(value: unknown, term: string): boolean {
  return typeof value === 'string' && value.toLowerCase().includes(term);
}

/** Devices whose name, SIP username (the listing's `username`) or MAC address holds `term` (from searchTerm). */
export function deviceSearch(term: string): (row: KazooDeviceSummary) => boolean {
  // A text of separators only ("-") would be empty here and match every MAC: it then only searches names.
  const macTerm = term.replace(MAC_SEPARATORS, '');
  return (row) =>
    holds(row.name, term) ||
    holds(row.username, term) ||
    (macTerm !== '' && typeof row.mac_address === 'string' && holds(row.mac_address.replace(MAC_SEPARATORS, ''), macTerm));
}

/** Users whose first name, last name, full name, username or email holds `term` (from searchTerm). */
export function userSearch(term: string): (row: KazooUserSummary) => boolean {
  // "first last" holds each name, and a text that spans both ("alice and").
  return (row) => holds(`${row.first_name ?? ''} ${row.last_name ?? ''}`, term) || holds(row.username, term) || holds(row.email, term);
}
