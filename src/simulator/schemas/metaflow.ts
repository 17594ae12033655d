// Kazoo 4.3's `metaflow` JSON schema (priv/couchdb/schemas/metaflow.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const metaflowSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "metaflow",
  "properties": {
    "children": {
      "patternProperties": {
        ".+": {
          "$ref": "metaflow"
        }
      },
      "type": "object"
    },
    "data": {
      "default": {},
      "kazoo-validation": true,
      "type": "object"
    },
    "module": {
      "kazoo-validation": true,
      "maxLength": 64,
      "minLength": 1,
      "type": "string"
    }
  },
  "required": [
    "module"
  ],
  "type": "object"
} as const satisfies KazooSchema;
