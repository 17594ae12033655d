// Kazoo 4.3's `call_recording.source` JSON schema (priv/couchdb/schemas/call_recording.source.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const callRecordingSourceSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "call_recording.source",
  "additionalProperties": false,
  "properties": {
    "any": {
      "$ref": "call_recording.parameters"
    },
    "offnet": {
      "$ref": "call_recording.parameters"
    },
    "onnet": {
      "$ref": "call_recording.parameters"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
