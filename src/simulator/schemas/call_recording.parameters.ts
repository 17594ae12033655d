// Kazoo 4.3's `call_recording.parameters` JSON schema (priv/couchdb/schemas/call_recording.parameters.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const callRecordingParametersSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "call_recording.parameters",
  "additionalProperties": false,
  "properties": {
    "enabled": {
      "type": "boolean"
    },
    "format": {
      "enum": [
        "mp3",
        "wav"
      ],
      "type": "string"
    },
    "record_min_sec": {
      "type": "integer"
    },
    "record_on_answer": {
      "type": "boolean"
    },
    "record_on_bridge": {
      "type": "boolean"
    },
    "record_sample_rate": {
      "type": "integer"
    },
    "time_limit": {
      "maximum": 10800,
      "minimum": 5,
      "type": "integer"
    },
    "url": {
      "format": "uri",
      "kazoo-validation": true,
      "type": "string"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
