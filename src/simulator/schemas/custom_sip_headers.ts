// Kazoo 4.3's `custom_sip_headers` JSON schema (priv/couchdb/schemas/custom_sip_headers.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const customSipHeadersSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "custom_sip_headers",
  "additionalProperties": false,
  "patternProperties": {
    "^[a-zA-z0-9_\\-]+$": {
      "type": "string"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
