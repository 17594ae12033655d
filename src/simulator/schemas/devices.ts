// Kazoo 4.3's `devices` JSON schema (priv/couchdb/schemas/devices.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const devicesSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "devices",
  "properties": {
    "call_forward": {
      "properties": {
        "direct_calls_only": {
          "default": false,
          "type": "boolean"
        },
        "enabled": {
          "default": false,
          "type": "boolean"
        },
        "failover": {
          "default": false,
          "type": "boolean"
        },
        "ignore_early_media": {
          "default": true,
          "type": "boolean"
        },
        "keep_caller_id": {
          "default": true,
          "type": "boolean"
        },
        "number": {
          "maxLength": 15,
          "type": "string"
        },
        "require_keypress": {
          "default": true,
          "type": "boolean"
        },
        "substitute": {
          "default": true,
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "call_recording": {
      "$ref": "call_recording"
    },
    "call_restriction": {
      "additionalProperties": {
        "properties": {
          "action": {
            "enum": [
              "inherit",
              "deny"
            ],
            "type": "string"
          }
        },
        "type": "object"
      },
      "default": {},
      "type": "object"
    },
    "call_waiting": {
      "$ref": "call_waiting"
    },
    "caller_id": {
      "$ref": "caller_id"
    },
    "caller_id_options": {
      "properties": {
        "outbound_privacy": {
          "enum": [
            "full",
            "name",
            "number",
            "none"
          ],
          "type": "string"
        }
      },
      "type": "object"
    },
    "contact_list": {
      "default": {},
      "properties": {
        "exclude": {
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "device_type": {
      "type": "string"
    },
    "dial_plan": {
      "$ref": "dialplans"
    },
    "do_not_disturb": {
      "properties": {
        "enabled": {
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "enabled": {
      "default": true,
      "type": "boolean"
    },
    "exclude_from_queues": {
      "default": false,
      "type": "boolean"
    },
    "flags": {
      "items": {
        "type": "string"
      },
      "type": "array"
    },
    "formatters": {
      "$ref": "formatters"
    },
    "hotdesk": {
      "properties": {
        "users": {
          "patternProperties": {
            "^[a-zA-Z0-9]{32}$": {
              "type": "object"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    },
    "language": {
      "type": "string"
    },
    "mac_address": {
      "type": "string"
    },
    "media": {
      "$ref": "endpoint.media"
    },
    "metaflows": {
      "$ref": "metaflows"
    },
    "music_on_hold": {
      "default": {},
      "properties": {
        "media_id": {
          "maxLength": 2048,
          "type": "string"
        }
      },
      "type": "object"
    },
    "mwi_unsolicited_updates": {
      "default": true,
      "type": "boolean"
    },
    "name": {
      "maxLength": 128,
      "minLength": 1,
      "type": "string"
    },
    "outbound_flags": {
      "oneOf": [
        {
          "items": {
            "type": "string"
          },
          "type": "array"
        },
        {
          "properties": {
            "dynamic": {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            "static": {
              "items": {
                "type": "string"
              },
              "type": "array"
            }
          },
          "type": "object"
        }
      ]
    },
    "owner_id": {
      "maxLength": 32,
      "minLength": 32,
      "type": "string"
    },
    "presence_id": {
      "type": "string"
    },
    "provision": {
      "properties": {
        "check_sync_event": {
          "type": "string"
        },
        "check_sync_reboot": {
          "type": "string"
        },
        "check_sync_reload": {
          "type": "string"
        },
        "combo_keys": {
          "patternProperties": {
            "^[0-9]+$": {
              "$ref": "devices.combo_key"
            }
          },
          "type": "object"
        },
        "endpoint_brand": {
          "type": "string"
        },
        "endpoint_family": {
          "type": "string"
        },
        "endpoint_model": {
          "type": [
            "string",
            "integer"
          ]
        },
        "feature_keys": {
          "patternProperties": {
            "^[0-9]+$": {
              "$ref": "devices.combo_key"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    },
    "register_overwrite_notify": {
      "default": false,
      "type": "boolean"
    },
    "ringtones": {
      "default": {},
      "properties": {
        "external": {
          "maxLength": 256,
          "type": "string"
        },
        "internal": {
          "maxLength": 256,
          "type": "string"
        }
      },
      "type": "object"
    },
    "sip": {
      "default": {},
      "properties": {
        "custom_sip_headers": {
          "anyOf": [
            {
              "$ref": "custom_sip_headers"
            },
            {
              "properties": {
                "in": {
                  "$ref": "custom_sip_headers"
                },
                "out": {
                  "$ref": "custom_sip_headers"
                }
              }
            }
          ],
          "type": "object"
        },
        "expire_seconds": {
          "default": 300,
          "type": "integer"
        },
        "ignore_completed_elsewhere": {
          "type": "boolean"
        },
        "invite_format": {
          "default": "contact",
          "enum": [
            "username",
            "npan",
            "1npan",
            "e164",
            "route",
            "contact"
          ],
          "type": "string"
        },
        "ip": {
          "type": "string"
        },
        "method": {
          "default": "password",
          "enum": [
            "password",
            "ip"
          ],
          "type": "string"
        },
        "number": {
          "type": "string"
        },
        "password": {
          "maxLength": 32,
          "minLength": 5,
          "type": "string"
        },
        "realm": {
          "maxLength": 253,
          "minLength": 4,
          "pattern": "^[.\\w_-]+$",
          "type": "string"
        },
        "route": {
          "type": "string"
        },
        "static_route": {
          "type": "string"
        },
        "username": {
          "maxLength": 32,
          "minLength": 2,
          "type": "string"
        }
      },
      "type": "object"
    },
    "suppress_unregister_notifications": {
      "default": false,
      "type": "boolean"
    },
    "timezone": {
      "type": "string"
    }
  },
  "required": [
    "name"
  ],
  "type": "object"
} as const satisfies KazooSchema;
