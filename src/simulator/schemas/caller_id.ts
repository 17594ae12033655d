// Kazoo 4.3's `caller_id` JSON schema (priv/couchdb/schemas/caller_id.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const callerIdSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "caller_id",
  "properties": {
    "asserted": {
      "properties": {
        "name": {
          "maxLength": 35,
          "type": "string"
        },
        "number": {
          "maxLength": 35,
          "type": "string"
        },
        "realm": {
          "type": "string"
        }
      },
      "type": "object"
    },
    "emergency": {
      "properties": {
        "name": {
          "maxLength": 35,
          "type": "string"
        },
        "number": {
          "maxLength": 35,
          "type": "string"
        }
      },
      "type": "object"
    },
    "external": {
      "properties": {
        "name": {
          "maxLength": 35,
          "type": "string"
        },
        "number": {
          "maxLength": 35,
          "type": "string"
        }
      },
      "type": "object"
    },
    "internal": {
      "properties": {
        "name": {
          "maxLength": 35,
          "type": "string"
        },
        "number": {
          "maxLength": 35,
          "type": "string"
        }
      },
      "type": "object"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
