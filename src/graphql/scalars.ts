// The behaviour of the schema's custom scalars; their names and descriptions are schema.graphql's. graphql-tools
// copies every property of a GraphQLScalarType it is given over the SDL's, description included, so only the three
// functions are handed over (otherwise introspection shows graphql-scalars' texts instead of ours).
//
// The scalars over Kazoo's own string fields (MAC, IPv4, IP, TimeZone, Locale, URL) are strict one way and lenient
// the other. Input is refused (BAD_USER_INPUT, before anything reaches Kazoo) unless it is valid, and is sent in the
// form Kazoo works with. Output never fails: Kazoo's JSON schemas type these fields as plain strings, so a document
// written by another client, Kazoo's own UI or an older Kazoo may hold anything there. A stored value that is valid
// comes out in the form input would have been sent in; any other string comes out as Kazoo stored it, rather than
// as an error that would blank the field (and, up a non-null chain, the row).
import { isIP, isIPv4 } from 'node:net';
import { GraphQLString, Kind } from 'graphql';
import type { GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { DateTimeResolver, JSONResolver, LocaleResolver, MACResolver } from 'graphql-scalars';

type ScalarBehaviour = Required<
  Pick<GraphQLScalarTypeConfig<unknown, unknown>, 'serialize' | 'parseValue' | 'parseLiteral'>
>;

/** A graphql-scalars scalar without its name and description. */
function behaviourOf(scalar: GraphQLScalarType): ScalarBehaviour {
  return { serialize: scalar.serialize, parseValue: scalar.parseValue, parseLiteral: scalar.parseLiteral };
}

interface KazooString {
  /** What a valid value is, for the error that refuses another. */
  expected: string;
  /** The value as Kazoo should store it, or undefined when it is not valid. */
  toKazoo(value: string): string | undefined;
}

function kazooStringScalar({ expected, toKazoo }: KazooString): ScalarBehaviour {
  const parse = (value: unknown): string => {
    const valid = typeof value === 'string' ? toKazoo(value) : undefined;
    // graphql-js puts the value and the input path before this message.
    if (valid === undefined) throw new TypeError(`It must be ${expected}.`);
    return valid;
  };
  return {
    // Numbers and booleans come out as text, as with String; an object still fails, as it would as String.
    serialize: (value) => {
      const stored = GraphQLString.serialize(value);
      return toKazoo(stored) ?? stored;
    },
    parseValue: parse,
    parseLiteral: (node) => parse(node.kind === Kind.STRING ? node.value : undefined),
  };
}

/** Whether a graphql-scalars scalar accepts a value as input. */
function accepts(scalar: GraphQLScalarType, value: string): boolean {
  try {
    scalar.parseValue(value);
    return true;
  } catch {
    return false;
  }
}

const KAZOO_MAC = /^[0-9a-f]{12}$/;

/**
 * 12 lower-case hexadecimal digits: what Kazoo's `provisioner_util:cleanse_mac_address` stores, so the form Kazoo's
 * uniqueness check compares, its listing shows and provisioners name configuration files by.
 */
function macToKazoo(value: string): string | undefined {
  // Most stored MACs are in that form already: every page of devices reads them.
  if (KAZOO_MAC.test(value)) return value;
  return accepts(MACResolver, value) ? value.replace(/[:.-]/g, '').toLowerCase() : undefined;
}

/** Kazoo 4.3 uploads recordings only to these (kzc_recording `handler_from_url`); it ignores any other URL. */
const UPLOAD_PROTOCOLS = new Set(['http:', 'https:', 'ftp:', 'ftps:']);

/** As the WHATWG URL parser writes it: percent-encoded, host lower-cased, nothing but ASCII. */
function urlToKazoo(value: string): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url !== undefined && UPLOAD_PROTOCOLS.has(url.protocol) ? url.href : undefined;
}

/** Zone names, as the IANA database knows them: `Europe/London`, `America/Argentina/Buenos_Aires`, `UTC`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
/** Intl takes about 80 µs to look a zone up, and a page of users repeats a handful of zones. */
const zoneLookups = new Map<string, string | undefined>();
const MAX_ZONE_LOOKUPS = 2_000;

/**
 * Any zone name the IANA database (Intl's, as graphql-scalars' TimeZone checks) knows, case aside. Kazoo's time zone
 * lookups are case-sensitive, so a zone is written as the database spells it (`america/new_york` becomes
 * `America/New_York`); an alias (`US/Eastern`) is kept as written, since the database would replace it by another
 * name. Offsets such as `+01:00`, which Intl also takes, are no zone name to Kazoo.
 */
function timeZoneToKazoo(value: string): string | undefined {
  if (zoneLookups.has(value)) return zoneLookups.get(value);
  let zone: string | undefined;
  if (ZONE_NAME.test(value)) {
    try {
      const known = new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
      zone = known.toLowerCase() === value.toLowerCase() ? known : value;
    } catch {
      zone = undefined;
    }
  }
  if (zoneLookups.size < MAX_ZONE_LOOKUPS) zoneLookups.set(value, zone);
  return zone;
}

/** The value as it is, when it is valid. */
function asIs(isValid: (value: string) => boolean): (value: string) => string | undefined {
  return (value) => (isValid(value) ? value : undefined);
}

/** By scalar name, for makeExecutableSchema's resolvers. */
export const scalarBehaviours: Readonly<Record<string, ScalarBehaviour>> = {
  DateTime: behaviourOf(DateTimeResolver),
  JSON: behaviourOf(JSONResolver),
  MAC: kazooStringScalar({
    expected: 'a MAC address: 12 hexadecimal digits, grouped by 2 with `:` or `-`, or by 4 with `.`, or not at all',
    toKazoo: macToKazoo,
  }),
  // Node's checks rather than graphql-scalars' IPv4, which also takes ranges (`10.0.0.0/24`) that Kazoo refuses.
  IPv4: kazooStringScalar({ expected: 'an IPv4 address such as 192.0.2.10', toKazoo: asIs(isIPv4) }),
  IP: kazooStringScalar({ expected: 'an IPv4 or IPv6 address', toKazoo: asIs((value) => isIP(value) !== 0) }),
  TimeZone: kazooStringScalar({ expected: 'an IANA time zone name such as America/New_York', toKazoo: timeZoneToKazoo }),
  // Sent as written: Kazoo's own language codes (`en-us`, `fr-ca`) are lower-case BCP 47 tags.
  Locale: kazooStringScalar({
    expected: 'a BCP 47 language tag such as en-us',
    toKazoo: asIs((value) => accepts(LocaleResolver, value)),
  }),
  URL: kazooStringScalar({ expected: 'an absolute http, https, ftp or ftps URL', toKazoo: urlToKazoo }),
};
