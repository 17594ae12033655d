// Kazoo 4.3's `api_auth` JSON schema (priv/couchdb/schemas/api_auth.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const apiAuthSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "api_auth",
  "additionalProperties": false,
  "properties": {
    "api_key": {
      "maxLength": 64,
      "minLength": 64,
      "type": "string"
    }
  },
  "required": [
    "api_key"
  ],
  "type": "object"
} as const satisfies KazooSchema;
