/**
 * JSON Schema of rampart.yaml. docs/schemas/rampart-pack.schema.json is generated from this constant
 * (`rampart schema pack`); a unit test keeps the two identical.
 */
export const PACK_SCHEMA = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://rampart.dev/schemas/rampart-pack.schema.json",
  "title": "Rampart policy pack (rampart.yaml)",
  "description": "Selects policy sets, per-policy modes and metadata, namespace exclusions, exceptions, admission exemptions and mutations for a policy repository.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "apiVersion",
    "kind"
  ],
  "properties": {
    "apiVersion": {
      "const": "rampart.dev/v1alpha1"
    },
    "kind": {
      "const": "PolicyPack"
    },
    "metadata": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "name": {
          "type": "string"
        },
        "owner": {
          "type": "string",
          "description": "Team that owns the pack."
        },
        "description": {
          "type": "string"
        }
      }
    },
    "defaultMode": {
      "$ref": "#/definitions/mode",
      "description": "Mode of every policy the pack does not configure. Default: enforce."
    },
    "policySets": {
      "type": "array",
      "description": "What to load. Paths are relative to the rampart.yaml file.",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "pss": {
            "enum": [
              "baseline",
              "restricted"
            ],
            "description": "Built-in Pod Security Standards level."
          },
          "version": {
            "type": "string",
            "pattern": "^(latest|v1\\.[0-9]+)$",
            "description": "PSS version (with pss). Default: latest."
          },
          "path": {
            "type": "string",
            "description": "File or directory of policy documents (ValidatingAdmissionPolicy, Kyverno, Gatekeeper)."
          },
          "library": {
            "enum": [
              "guardrails"
            ],
            "description": "A policy library shipped with Rampart."
          },
          "mode": {
            "$ref": "#/definitions/mode",
            "description": "Mode of every policy of this set (a policies entry still wins)."
          }
        },
        "oneOf": [
          {
            "required": [
              "pss"
            ]
          },
          {
            "required": [
              "path"
            ]
          },
          {
            "required": [
              "library"
            ]
          }
        ]
      }
    },
    "policies": {
      "type": "object",
      "description": "Per-policy settings, keyed by policy id (<scope>.<intent>.v<N> for Rampart policies, the object name for third-party ones).",
      "additionalProperties": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "mode": {
            "$ref": "#/definitions/mode"
          },
          "disabled": {
            "type": "boolean"
          },
          "title": {
            "type": "string"
          },
          "owner": {
            "type": "string"
          },
          "severity": {
            "enum": [
              "critical",
              "high",
              "medium",
              "low",
              "info"
            ]
          },
          "remediation": {
            "type": "string"
          },
          "frameworks": {
            "$ref": "#/definitions/frameworks"
          }
        }
      }
    },
    "excludedNamespaces": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "description": "Namespaces no policy is evaluated in."
    },
    "exceptions": {
      "type": "array",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "policy",
          "reason",
          "owner",
          "expires"
        ],
        "properties": {
          "policy": {
            "type": "string",
            "description": "Policy id the exception is for."
          },
          "rules": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Only these rules (default: all rules of the policy)."
          },
          "scope": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "namespaces": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "kinds": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "names": {
                "type": "array",
                "items": {
                  "type": "string"
                },
                "description": "Object names; a trailing * matches a prefix."
              },
              "selector": {
                "type": "object",
                "description": "metav1.LabelSelector on the object's labels."
              }
            }
          },
          "reason": {
            "type": "string",
            "minLength": 1
          },
          "owner": {
            "type": "string",
            "minLength": 1
          },
          "expires": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "description": "ISO date (or date-time); the exception stops applying after it."
          },
          "ticket": {
            "type": "string"
          }
        }
      }
    },
    "admission": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "failurePolicy": {
          "enum": [
            "Fail",
            "Ignore"
          ],
          "description": "What an enforce-mode policy error does in the webhook. Default: Fail."
        },
        "exemptions": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "reason"
            ],
            "properties": {
              "namespaces": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "usernames": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "groups": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "reason": {
                "type": "string",
                "minLength": 1
              }
            }
          }
        }
      }
    },
    "mutations": {
      "type": "object",
      "additionalProperties": false,
      "description": "Secure defaults the /mutate endpoint sets where a pod leaves them unset. Each defaults to true.",
      "properties": {
        "seccompRuntimeDefault": {
          "type": "boolean"
        },
        "dropAllCapabilities": {
          "type": "boolean"
        },
        "disallowPrivilegeEscalation": {
          "type": "boolean"
        }
      }
    }
  },
  "definitions": {
    "mode": {
      "enum": [
        "enforce",
        "warn",
        "audit"
      ]
    },
    "frameworks": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "cis": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "nist": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "mitre": {
          "type": "array",
          "items": {
            "type": "string"
          }
        }
      }
    }
  }
} as const;
