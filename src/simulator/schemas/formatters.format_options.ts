// Kazoo 4.3's `formatters.format_options` JSON schema (priv/couchdb/schemas/formatters.format_options.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const formattersFormatOptionsSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "formatters.format_options",
  "properties": {
    "direction": {
      "enum": [
        "inbound",
        "outbound",
        "both"
      ],
      "type": "string"
    },
    "match_invite_format": {
      "type": "boolean"
    },
    "prefix": {
      "type": "string"
    },
    "regex": {
      "format": "regex",
      "type": "string"
    },
    "strip": {
      "type": "boolean"
    },
    "suffix": {
      "type": "string"
    },
    "value": {
      "type": "string"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
