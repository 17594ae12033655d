// Kazoo 4.3's `dialplans` JSON schema (priv/couchdb/schemas/dialplans.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const dialplansSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "dialplans",
  "additionalProperties": {
    "properties": {
      "description": {
        "type": "string"
      },
      "prefix": {
        "type": "string"
      },
      "suffix": {
        "type": "string"
      }
    },
    "type": "object"
  },
  "properties": {
    "system": {
      "items": {
        "type": "string"
      },
      "type": "array"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
