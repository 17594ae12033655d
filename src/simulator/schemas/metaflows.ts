// Kazoo 4.3's `metaflows` JSON schema (priv/couchdb/schemas/metaflows.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const metaflowsSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "metaflows",
  "properties": {
    "binding_digit": {
      "default": "*",
      "enum": [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "0",
        "*",
        "#"
      ],
      "maxLength": 1,
      "minLength": 1,
      "type": "string"
    },
    "digit_timeout": {
      "minimum": 0,
      "type": "integer"
    },
    "listen_on": {
      "enum": [
        "both",
        "self",
        "peer"
      ],
      "type": "string"
    },
    "numbers": {
      "additionalProperties": false,
      "patternProperties": {
        "^[0-9]+$": {
          "$ref": "metaflow"
        }
      },
      "type": "object"
    },
    "patterns": {
      "additionalProperties": false,
      "patternProperties": {
        ".+": {
          "$ref": "metaflow"
        }
      },
      "type": "object"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
