// Kazoo 4.3's `formatters` JSON schema (priv/couchdb/schemas/formatters.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const formattersSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "formatters",
  "patternProperties": {
    "^[[:alnum:]_]+$": {
      "oneOf": [
        {
          "items": {
            "$ref": "formatters.format_options"
          },
          "type": "array"
        },
        {
          "$ref": "formatters.format_options"
        }
      ]
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
