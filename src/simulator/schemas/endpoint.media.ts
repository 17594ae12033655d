// Kazoo 4.3's `endpoint.media` JSON schema (priv/couchdb/schemas/endpoint.media.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const endpointMediaSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "endpoint.media",
  "properties": {
    "audio": {
      "default": {},
      "properties": {
        "codecs": {
          "items": {
            "enum": [
              "OPUS",
              "CELT@32000h",
              "G7221@32000h",
              "G7221@16000h",
              "G722",
              "speex@32000h",
              "speex@16000h",
              "PCMU",
              "PCMA",
              "G729",
              "GSM",
              "CELT@48000h",
              "CELT@64000h",
              "G722_16",
              "G722_32",
              "CELT_48",
              "CELT_64",
              "Speex",
              "speex"
            ],
            "type": "string"
          },
          "type": "array",
          "uniqueItems": true
        }
      },
      "type": "object"
    },
    "bypass_media": {
      "enum": [
        true,
        false,
        "auto"
      ],
      "type": [
        "boolean",
        "string"
      ]
    },
    "encryption": {
      "default": {},
      "properties": {
        "enforce_security": {
          "default": false,
          "type": "boolean"
        },
        "methods": {
          "default": [],
          "items": {
            "enum": [
              "zrtp",
              "srtp"
            ],
            "type": "string"
          },
          "type": "array"
        }
      },
      "type": "object"
    },
    "fax_option": {
      "type": "boolean"
    },
    "ignore_early_media": {
      "type": "boolean"
    },
    "progress_timeout": {
      "type": "integer"
    },
    "video": {
      "default": {},
      "properties": {
        "codecs": {
          "default": [],
          "items": {
            "enum": [
              "H261",
              "H263",
              "H264",
              "VP8"
            ],
            "type": "string"
          },
          "type": "array",
          "uniqueItems": true
        }
      },
      "type": "object"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
