// Kazoo 4.3's `notify.callback` JSON schema (priv/couchdb/schemas/notify.callback.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const notifyCallbackSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "notify.callback",
  "properties": {
    "attempts": {
      "type": "integer"
    },
    "disabled": {
      "type": "boolean"
    },
    "interval_s": {
      "type": "integer"
    },
    "number": {
      "type": "string"
    },
    "schedule": {
      "items": {
        "type": "integer"
      },
      "type": "array"
    },
    "timeout_s": {
      "type": "integer"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
