/// The JSON Schemas (draft 2020-12) of the files fwaudit writes and reads, for programs and editors
/// that check them. Each is identical to its file in `Reports/schema/` (a test keeps them so).
///
/// Generated from those files: edit the file, then copy it here whole.
public enum Schemas {
    /// `Reports/schema/report.schema.json`: the JSON report, `schemaVersion` 2, as ``JSONReport`` writes it.
    public static let report = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "fwaudit JSON report, schemaVersion 2",
  "description": "What `fwaudit audit --format json` writes. A contract with the programs that read it: within a schema version fields are added, never renamed or removed, so objects allow properties this schema does not name. Version 2 (from version 1): finding `from`/`to` are always zone ids or null, `space` holds structured values with the printed text under `space.text`, and `fingerprintVersion` says how fingerprints are computed.",
  "type": "object",
  "required": ["schemaVersion", "fingerprintVersion", "tool", "matrix", "inputs", "audited", "summary", "flows", "findings", "assumptions", "diagnostics", "fixed"],
  "properties": {
    "schemaVersion": {"const": 2},
    "fingerprintVersion": {"const": 2, "description": "The encoding finding fingerprints are computed from; waivers and baselines name it too."},
    "tool": {
      "type": "object",
      "required": ["name", "version"],
      "properties": {
        "name": {"const": "fwaudit"},
        "version": {"type": "string"}
      }
    },
    "matrix": {
      "type": "object",
      "required": ["name", "path", "reference"],
      "properties": {
        "name": {"type": "string"},
        "path": {"type": "string", "description": "As the user gave it."},
        "reference": {"type": ["string", "null"]}
      }
    },
    "inputs": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["kind", "path", "family"],
        "properties": {
          "kind": {"type": "string", "examples": ["iptables-save", "ip6tables-save"]},
          "path": {"type": "string"},
          "family": {"$ref": "#/$defs/family"}
        }
      }
    },
    "audited": {
      "type": "object",
      "required": ["ipv4", "ipv6"],
      "properties": {
        "ipv4": {"type": "boolean"},
        "ipv6": {"type": "boolean"}
      }
    },
    "summary": {
      "type": "object",
      "required": ["compliant", "flows", "allowed", "partial", "blocked", "notAudited", "missing", "extra", "wrongDirection", "waived", "baselined"],
      "properties": {
        "compliant": {"type": "boolean"},
        "flows": {"$ref": "#/$defs/count"},
        "allowed": {"$ref": "#/$defs/count"},
        "partial": {"$ref": "#/$defs/count"},
        "blocked": {"$ref": "#/$defs/count"},
        "notAudited": {"$ref": "#/$defs/count"},
        "missing": {"$ref": "#/$defs/count"},
        "extra": {"$ref": "#/$defs/count"},
        "wrongDirection": {"$ref": "#/$defs/count"},
        "waived": {"$ref": "#/$defs/count", "description": "Findings covered by a waiver, counted in their kinds too."},
        "baselined": {"$ref": "#/$defs/count", "description": "Findings already in the baseline, counted in their kinds too."}
      }
    },
    "flows": {"type": "array", "items": {"$ref": "#/$defs/flow"}},
    "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
    "assumptions": {
      "type": "array",
      "description": "What the audit of each audited family took for granted.",
      "items": {
        "type": "object",
        "required": ["family", "hostAddresses", "forwarding", "remoteClientPorts", "hostClientPorts", "interfaces"],
        "properties": {
          "family": {"$ref": "#/$defs/family"},
          "hostAddresses": {"$ref": "#/$defs/addressRanges"},
          "forwarding": {
            "type": "object",
            "required": ["routes", "source"],
            "properties": {
              "routes": {"type": "boolean"},
              "source": {"enum": ["kernel", "matrix", "undeclared"]},
              "sysctl": {"type": "string"}
            }
          },
          "remoteClientPorts": {"$ref": "#/$defs/numberRanges"},
          "hostClientPorts": {"$ref": "#/$defs/numberRanges"},
          "interfaces": {"type": "array", "items": {"type": "string"}},
          "denyLists": {"type": "array", "items": {"type": "string"}, "description": "The matrix's deny lists, whose drops are intended."},
          "throttles": {
            "type": "object",
            "required": ["mode", "ruleCount", "rules"],
            "properties": {
              "mode": {"enum": ["within-limits", "unknown"]},
              "ruleCount": {"type": "integer"},
              "rules": {"type": "array", "items": {"type": "string"}, "description": "The first 16 rules that hold a throttle."}
            }
          }
        }
      }
    },
    "diagnostics": {"type": "array", "items": {"$ref": "#/$defs/diagnostic"}},
    "fixed": {
      "type": "array",
      "description": "Baseline findings this audit no longer reports (empty without --baseline).",
      "items": {
        "type": "object",
        "required": ["fingerprint", "kind", "message"],
        "properties": {
          "fingerprint": {"$ref": "#/$defs/fingerprint"},
          "kind": {"$ref": "#/$defs/findingKind"},
          "message": {"type": "string"}
        }
      }
    }
  },
  "$defs": {
    "translation": {
      "type": "object",
      "required": ["family", "kind", "rule", "ruleText", "addresses", "ports", "text"],
      "properties": {
        "family": {"$ref": "#/$defs/family"},
        "kind": {"enum": ["dnat", "redirect", "snat", "masquerade"]},
        "rule": {"type": "string", "description": "FILE:LINE, or table/chain/handle, of the nat rule."},
        "ruleText": {"type": "string"},
        "addresses": {"type": ["string", "null"], "description": "Where connections are sent (for snat: the source they take), in address syntax; null when unchanged or chosen by the kernel (MASQUERADE)."},
        "ports": {"type": ["string", "null"], "description": "The ports connections are sent to (for snat: taken from); null when unchanged."},
        "text": {"type": "string", "description": "As the text report prints it: `via DNAT to 172.17.0.2:80 by docker.v4:44`."}
      }
    },
    "count": {"type": "integer", "minimum": 0},
    "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    "findingKind": {"enum": ["missing", "extra", "wrong-direction"]},
    "family": {"enum": ["ipv4", "ipv6"]},
    "path": {"enum": ["input", "output", "forward"]},
    "severity": {"enum": ["low", "medium", "high", "critical"]},
    "certainty": {"enum": ["definite", "possible"]},
    "flowStatus": {"enum": ["allowed", "partial", "blocked", "not-audited", "not-applicable"]},
    "leg": {"enum": ["new", "established", "reply"]},
    "ports": {
      "type": "string",
      "description": "Matrix port syntax: \"22\", \"80,443\", \"50000-59999\", \"any\"."
    },
    "flow": {
      "type": "object",
      "required": ["id", "service", "protocol", "ports", "sourcePorts", "from", "to", "required", "severity", "path", "paths", "status", "certainty", "families", "location"],
      "properties": {
        "id": {"type": "string"},
        "service": {"type": ["string", "null"]},
        "protocol": {"description": "tcp, udp, tcp+udp, icmp, icmpv6, sctp or any; or any other IP protocol by its /etc/protocols name (esp, ah, gre, vrrp, ospf, pim, igmp, l2tp, ...) or number 0-255 (reports print the official name where /etc/protocols has one).", "anyOf": [{"enum": ["tcp", "udp", "tcp+udp", "icmp", "icmpv6", "sctp", "any"]}, {"enum": ["ip", "hopopt", "igmp", "ggp", "ipencap", "st", "egp", "igp", "pup", "hmp", "xns-idp", "idp", "rdp", "iso-tp4", "dccp", "xtp", "ddp", "idpr-cmtp", "ipv6", "ipv6-route", "ipv6-frag", "idrp", "rsvp", "gre", "esp", "ipv6-crypt", "ah", "ipv6-auth", "skip", "ipv6-icmp", "icmp6", "ipv6-nonxt", "ipv6-opts", "rspf", "vmtp", "eigrp", "ospf", "ospfigp", "ax.25", "ipip", "etherip", "encap", "pim", "ipcomp", "comp", "vrrp", "l2tp", "isis", "fc", "mobility-header", "ipv6-mh", "mh", "udplite", "mpls-in-ip", "manet", "hip", "shim6", "wesp", "rohc", "ethernet"]}, {"type": "string", "pattern": "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"}]},
        "ports": {"anyOf": [{"$ref": "#/$defs/ports"}, {"type": "null"}]},
        "sourcePorts": {"anyOf": [{"$ref": "#/$defs/ports"}, {"type": "null"}]},
        "from": {"type": "string"},
        "to": {"type": "string"},
        "required": {"type": "boolean"},
        "severity": {"$ref": "#/$defs/severity"},
        "path": {"$ref": "#/$defs/path", "description": "The first of `paths`."},
        "paths": {"type": "array", "items": {"$ref": "#/$defs/path"}, "description": "Every path the flow takes: a zone that holds the host's addresses splits a flow into input, output and forward parts."},
        "status": {"$ref": "#/$defs/flowStatus", "description": "Over every family and path: allowed when all are, blocked when all are, partial otherwise."},
        "certainty": {"$ref": "#/$defs/certainty"},
        "families": {
          "type": "object",
          "description": "The status in each family the flow has addresses in.",
          "propertyNames": {"$ref": "#/$defs/family"},
          "additionalProperties": {"$ref": "#/$defs/flowStatus"}
        },
        "location": {"type": "string", "description": "FILE:LINE:COLUMN of the flow's item in the matrix."},
        "note": {"type": ["string", "null"], "description": "The flow's note in the matrix; for imported flows it starts with the documentation page, table and row the flow came from."},
        "rateLimitedBy": {
          "type": "array",
          "description": "Throttles (rate limits, connection limits, recent lists, quotas, meters) the flow's packets pass within their limits.",
          "items": {
            "type": "object",
            "required": ["family", "rule", "match"],
            "properties": {"family": {"$ref": "#/$defs/family"}, "rule": {"type": "string"}, "match": {"type": "string"}}
          }
        },
        "translatedBy": {
          "type": "array",
          "description": "Address translations the flow's connections take: DNAT or REDIRECT of the opening packet (where connections are sent), SNAT or MASQUERADE on the way out.",
          "items": {"$ref": "#/$defs/translation"}
        },
        "narrowedBy": {
          "type": "array",
          "description": "Intended drops by the matrix's deny lists: they narrow the flow without making it partial.",
          "items": {
            "type": "object",
            "required": ["denyList", "family", "rules", "addresses"],
            "properties": {
              "denyList": {"type": "string"},
              "family": {"$ref": "#/$defs/family"},
              "rules": {"type": "array", "items": {"type": "string"}},
              "addresses": {"type": ["integer", "string"], "description": "Remote addresses the list drops; exact up to 2^53."}
            }
          }
        }
      }
    },
    "rule": {
      "type": "object",
      "required": ["location", "text", "table", "chain", "hook", "verdict", "policy"],
      "properties": {
        "location": {"type": "string", "description": "FILE:LINE for a rule; 'FILE: chain NAME policy VERDICT' for a chain policy; 'ruleset: no base chain on the PATH path accepts by default' when no chain decides (table and chain are then empty)."},
        "text": {"type": "string"},
        "table": {"type": "string"},
        "chain": {"type": "string"},
        "hook": {"enum": ["prerouting", "input", "forward", "output", "postrouting"]},
        "verdict": {"enum": ["accept", "drop", "reject"]},
        "policy": {"type": "boolean"}
      }
    },
    "numberRanges": {
      "type": "array",
      "description": "Sorted, disjoint ranges of numbers.",
      "items": {
        "type": "object",
        "required": ["first", "last"],
        "properties": {"first": {"type": "integer", "minimum": 0}, "last": {"type": "integer", "minimum": 0}}
      }
    },
    "addressRanges": {
      "type": "object",
      "description": "Addresses as sorted, disjoint ranges, each from its first to its last address; at most 16 are listed, `rangeCount` and `addressCount` count them all, so no report grows with the size of a blocklist.",
      "required": ["ranges", "rangeCount", "addressCount"],
      "properties": {
        "ranges": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["first", "last"],
            "properties": {"first": {"type": "string"}, "last": {"type": "string"}}
          }
        },
        "rangeCount": {"type": "integer", "minimum": 0},
        "addressCount": {"type": ["integer", "string"], "description": "Exact up to 2^53; beyond, a power of two such as \"2^64\"."}
      }
    },
    "interfaces": {
      "type": "object",
      "required": ["scope"],
      "description": "`none`: the packets start or end on the host; `any`: every interface; `only`: these names (`eth0`), wildcards (`veth+`: names only that wildcard matches) and `*` (names no rule or zone mentions).",
      "properties": {
        "scope": {"enum": ["none", "any", "only"]},
        "names": {"type": "array", "items": {"type": "string"}}
      }
    },
    "space": {
      "type": "object",
      "required": ["protocols", "sources", "destinations", "sourcePorts", "destinationPorts", "inInterfaces", "outInterfaces", "text"],
      "properties": {
        "protocols": {"$ref": "#/$defs/numberRanges", "description": "IP protocol numbers."},
        "sources": {"$ref": "#/$defs/addressRanges"},
        "destinations": {"$ref": "#/$defs/addressRanges"},
        "sourcePorts": {"oneOf": [{"$ref": "#/$defs/numberRanges"}, {"type": "null"}], "description": "Null when no protocol of the space carries ports."},
        "destinationPorts": {"oneOf": [{"$ref": "#/$defs/numberRanges"}, {"type": "null"}]},
        "icmpTypes": {
          "description": "ICMP or ICMPv6 TYPE/CODE ranges of the space; null when it holds no ICMP of its family.",
          "oneOf": [{"type": "null"}, {"type": "array", "items": {"type": "object", "required": ["first", "last"], "properties": {"first": {"type": "string"}, "last": {"type": "string"}}}}]
        },
        "inInterfaces": {"$ref": "#/$defs/interfaces"},
        "outInterfaces": {"$ref": "#/$defs/interfaces"},
        "text": {
          "type": "object",
          "description": "The same values as the text report prints them (`-` where there are no ports).",
          "required": ["protocols", "sources", "destinations", "sourcePorts", "destinationPorts"],
          "properties": {
            "protocols": {"type": "string"},
            "sources": {"type": "string"},
            "destinations": {"type": "string"},
            "sourcePorts": {"type": "string"},
            "destinationPorts": {"type": "string"}
          }
        }
      }
    },
    "witness": {
      "type": "object",
      "required": ["protocol", "source", "destination", "state", "leg", "confirmed"],
      "properties": {
        "protocol": {"type": "string"},
        "source": {"type": "string"},
        "sourcePort": {"type": "integer", "minimum": 0, "maximum": 65535},
        "destination": {"type": "string"},
        "destinationPort": {"type": "integer", "minimum": 0, "maximum": 65535},
        "icmpType": {"type": "integer", "minimum": 0, "maximum": 255},
        "icmpCode": {"type": "integer", "minimum": 0, "maximum": 255},
        "in": {"type": "string"},
        "out": {"type": "string"},
        "state": {"type": "string", "description": "Comma-separated ct states: new, established, related, invalid, untracked."},
        "tcpFlags": {"type": "string", "description": "Comma-separated TCP flags, or 'none'."},
        "leg": {"$ref": "#/$defs/leg"},
        "confirmed": {"type": "boolean"},
        "assumed": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["unknown", "holds"],
            "properties": {
              "unknown": {"type": "integer"},
              "holds": {"type": "boolean"}
            }
          }
        }
      },
      "dependentRequired": {
        "sourcePort": ["destinationPort"],
        "destinationPort": ["sourcePort"],
        "icmpType": ["icmpCode"]
      }
    },
    "unknown": {
      "type": "object",
      "required": ["id", "location", "match", "reason"],
      "properties": {
        "id": {"type": "integer"},
        "location": {"type": "string"},
        "match": {"type": "string"},
        "reason": {"type": "string"}
      }
    },
    "finding": {
      "type": "object",
      "required": ["kind", "fingerprint", "flow", "certainty", "severity", "family", "path", "protocol", "ports", "from", "to", "message", "rule", "space", "witness", "waiver", "inBaseline", "notes", "unknowns"],
      "properties": {
        "kind": {"$ref": "#/$defs/findingKind"},
        "fingerprint": {"$ref": "#/$defs/fingerprint"},
        "flow": {"type": ["string", "null"], "description": "Null for extras."},
        "certainty": {"$ref": "#/$defs/certainty"},
        "severity": {"$ref": "#/$defs/severity"},
        "family": {"$ref": "#/$defs/family"},
        "path": {"$ref": "#/$defs/path"},
        "protocol": {"type": "string", "description": "The flow's protocol, or the protocols accepted, in matrix syntax."},
        "ports": {"$ref": "#/$defs/ports"},
        "from": {"type": ["string", "null"], "description": "A zone id: the flow's, or for extras the smallest zone holding every source; null when no zone does."},
        "to": {"type": ["string", "null"], "description": "A zone id, chosen the same way for the destinations."},
        "message": {"type": "string"},
        "rule": {"$ref": "#/$defs/rule"},
        "mirror": {"enum": ["swapped-ends", "source-port", "interface"]},
        "blockedByCount": {"type": "integer", "description": "How many blocking parts there are; `blockedBy` lists at most 16."},
        "blockedBy": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["leg", "rule", "space"],
            "properties": {
              "leg": {"$ref": "#/$defs/leg"},
              "rule": {"$ref": "#/$defs/rule"},
              "space": {"$ref": "#/$defs/space"}
            }
          }
        },
        "space": {"$ref": "#/$defs/space"},
        "witness": {"$ref": "#/$defs/witness"},
        "waiver": {
          "description": "The waiver that covers the finding: it stays counted but never fails a run. Null when none does.",
          "oneOf": [
            {"type": "null"},
            {
              "type": "object",
              "required": ["reason", "owner", "expires", "location"],
              "properties": {
                "reason": {"type": "string"},
                "owner": {"type": "string"},
                "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                "location": {"type": "string", "description": "FILE:LINE:COLUMN of the waiver."}
              }
            }
          ]
        },
        "inBaseline": {"type": "boolean", "description": "The finding was already in the baseline given with --baseline."},
        "notes": {
          "type": "array",
          "description": "What a reader should know to judge the finding (`forwarding-undeclared`: on the forward path of a host whose forwarding nothing told; `bypasses-input`: traffic for the host's own addresses that a DNAT rule forwards past the input chains).",
          "items": {"type": "object", "required": ["id", "text"], "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}
        },
        "translatedBy": {
          "type": "array",
          "description": "For a missing flow, the translations its connections met; for extra traffic, the DNAT or REDIRECT rules that make it reachable.",
          "items": {"$ref": "#/$defs/translation"}
        },
        "unknowns": {"type": "array", "items": {"$ref": "#/$defs/unknown"}}
      },
      "allOf": [
        {
          "if": {"properties": {"kind": {"const": "missing"}}},
          "then": {"properties": {"flow": {"type": "string"}}}
        },
        {
          "if": {"properties": {"kind": {"const": "wrong-direction"}}},
          "then": {"required": ["mirror"], "properties": {"flow": {"type": "string"}}}
        },
        {
          "if": {"properties": {"kind": {"const": "extra"}}},
          "then": {"properties": {"flow": {"type": "null"}}}
        }
      ]
    },
    "diagnostic": {
      "type": "object",
      "required": ["severity", "location", "message"],
      "properties": {
        "severity": {"enum": ["note", "warning", "error"]},
        "location": {"type": ["string", "null"]},
        "message": {"type": "string"}
      }
    }
  }
}
"""# + "\n"

    /// `Reports/schema/matrix.schema.json`: the port matrix, format version 1, as `PortMatrixLoader` reads it.
    public static let matrix = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "fwaudit port matrix, format version 1",
  "description": "The documented port matrix `fwaudit audit --matrix` reads: YAML, or JSON (which is YAML). Unknown keys are errors, as the loader reports them. Checks the loader makes across the document (zone references, duplicate flow ids, address syntax) are described, not all enforced, here.",
  "type": "object",
  "required": ["version", "zones", "flows"],
  "additionalProperties": false,
  "properties": {
    "version": {"const": 1},
    "name": {"type": "string", "minLength": 1, "description": "The matrix's title; defaults to the file name."},
    "reference": {"type": "string", "description": "The document the matrix transcribes."},
    "zones": {
      "type": "object",
      "description": "Zone ids to zones; flows run between zones.",
      "propertyNames": {"$ref": "#/$defs/id"},
      "additionalProperties": {"$ref": "#/$defs/zone"}
    },
    "flows": {"type": "array", "items": {"$ref": "#/$defs/flow"}},
    "allow": {
      "type": "array",
      "description": "Traffic tolerated beyond the flows; [loopback, established] when absent.",
      "items": {"enum": ["loopback", "established", "outbound", "icmp", "ndp"]}
    },
    "host": {
      "type": "object",
      "description": "The audited host itself. Live inputs add the addresses of the namespace's interfaces and read forwarding and the local port range from the kernel; a declaration the kernel contradicts is an error.",
      "additionalProperties": false,
      "properties": {
        "addresses": {"$ref": "#/$defs/stringList", "description": "The host's own addresses beyond those of its local zones."},
        "forwarding": {"type": "boolean", "description": "Whether the host routes; false: the forward path is not audited. Undeclared offline: audited, and forward-path findings say how to declare a non-router."},
        "clientPorts": {"$ref": "#/$defs/ports", "description": "Source ports of the host's own connections; 32768-60999 (Linux's ip_local_port_range) when absent."}
      }
    },
    "clientPorts": {"$ref": "#/$defs/ports", "description": "Source ports of remote clients, for flows without sourcePorts; 1024-65535 when absent. Extras are judged against every source port."},
    "denyLists": {
      "$ref": "#/$defs/stringList",
      "description": "Intended drops: chain-name globs (f2b-*, sshguard) and set names (@blocklist, an ipset name). Their drops narrow a flow without making it partial."
    }
  },
  "$defs": {
    "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
    "stringList": {
      "description": "A list, or a single item standing for a list of one.",
      "anyOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}}
      ]
    },
    "zone": {
      "type": "object",
      "required": ["addresses"],
      "additionalProperties": false,
      "properties": {
        "local": {"type": "boolean", "description": "The addresses belong to the audited host."},
        "addresses": {
          "description": "Hosts, CIDR prefixes, a-b ranges, or 'any' alone (every address of the audited families).",
          "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
          ]
        },
        "interfaces": {
          "description": "Names, or 'eth+' wildcards, the zone is reached through; any interface when absent.",
          "$ref": "#/$defs/stringList"
        }
      }
    },
    "portItem": {
      "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 65535},
        {
          "type": "string",
          "pattern": "^[ \\t]*(any|[0-9]+([ \\t]*[-:][ \\t]*[0-9]+)?([ \\t]*,[ \\t]*[0-9]+([ \\t]*[-:][ \\t]*[0-9]+)?)*)[ \\t]*$"
        }
      ]
    },
    "ports": {
      "description": "5061, \"50000-59999\" (or \"50000:59999\"), \"80,443\", \"any\", or a list of those.",
      "anyOf": [
        {"$ref": "#/$defs/portItem"},
        {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/portItem"}}
      ]
    },
    "flow": {
      "type": "object",
      "required": ["id", "protocol", "from", "to"],
      "additionalProperties": false,
      "properties": {
        "id": {"$ref": "#/$defs/id", "description": "Unique and stable; used in reports and waivers."},
        "service": {"type": "string", "description": "The service name from the documentation, free text."},
        "protocol": {"description": "tcp, udp, tcp+udp, icmp, icmpv6, sctp or any; or any other IP protocol by its /etc/protocols name (esp, ah, gre, vrrp, ospf, pim, igmp, l2tp, ...) or number 0-255, matched on the protocol number alone (no ports).", "anyOf": [{"enum": ["tcp", "udp", "tcp+udp", "icmp", "icmpv6", "sctp", "any"]}, {"enum": ["ip", "hopopt", "igmp", "ggp", "ipencap", "st", "egp", "igp", "pup", "hmp", "xns-idp", "idp", "rdp", "iso-tp4", "dccp", "xtp", "ddp", "idpr-cmtp", "ipv6", "ipv6-route", "ipv6-frag", "idrp", "rsvp", "gre", "esp", "ipv6-crypt", "ah", "ipv6-auth", "skip", "ipv6-icmp", "icmp6", "ipv6-nonxt", "ipv6-opts", "rspf", "vmtp", "eigrp", "ospf", "ospfigp", "ax.25", "ipip", "etherip", "encap", "pim", "ipcomp", "comp", "vrrp", "l2tp", "isis", "fc", "mobility-header", "ipv6-mh", "mh", "udplite", "mpls-in-ip", "manet", "hip", "shim6", "wesp", "rohc", "ethernet"]}, {"type": "string", "pattern": "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"}, {"type": "integer", "minimum": 0, "maximum": 255}]},
        "ports": {"$ref": "#/$defs/ports", "description": "Destination ports."},
        "sourcePorts": {"$ref": "#/$defs/ports", "description": "Source ports; any when absent."},
        "from": {"$ref": "#/$defs/id", "description": "The zone the connection is opened from."},
        "to": {"$ref": "#/$defs/id", "description": "The zone the connection is opened to."},
        "note": {"type": "string"},
        "required": {"type": "boolean", "description": "false: tolerated, never reported as extra nor as missing. Default true."},
        "severity": {"enum": ["low", "medium", "high", "critical"], "description": "Default high."}
      },
      "if": {"properties": {"protocol": {"enum": ["tcp", "udp", "tcp+udp", "sctp", "6", "17", "132", 6, 17, 132]}}},
      "then": {"required": ["ports"]},
      "else": {"not": {"anyOf": [{"required": ["ports"]}, {"required": ["sourcePorts"]}]}}
    }
  }
}
"""# + "\n"

    /// `Reports/schema/waivers.schema.json`: the waivers file, format version 1.
    public static let waivers = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "fwaudit waivers file, format version 1",
  "description": "Findings accepted for a while (`fwaudit audit --waivers`): YAML, or JSON. A waived finding stays in every report but never fails a run. Unknown keys are errors, as the loader reports them.",
  "type": "object",
  "required": ["version"],
  "additionalProperties": false,
  "properties": {
    "version": {"const": 1},
    "fingerprintVersion": {"const": 2, "description": "The version of the fingerprints the waivers name (the reports' fingerprintVersion). Required when a waiver names a fingerprint: fingerprints of an older version are refused."},
    "waivers": {"type": "array", "items": {"$ref": "#/$defs/waiver"}}
  },
  "$defs": {
    "text": {"type": "string", "minLength": 1},
    "waiver": {
      "type": "object",
      "description": "Names findings by fingerprint, or by a pattern (kind, flow, protocol, ports): every field given must agree with the finding.",
      "required": ["reason", "owner", "expires"],
      "additionalProperties": false,
      "properties": {
        "fingerprint": {"type": "string", "pattern": "^[0-9A-Fa-f]{16}$", "description": "A finding's fingerprint, as the reports print it."},
        "kind": {"enum": ["missing", "extra", "wrong-direction"]},
        "flow": {"$ref": "#/$defs/text", "description": "A flow id of the matrix."},
        "protocol": {"$ref": "#/$defs/text", "description": "As the reports print it: tcp, udp, ..."},
        "ports": {"$ref": "#/$defs/text", "description": "In matrix port syntax, as the reports print it: \"5061\", \"80,443\", \"50000-59999\"."},
        "reason": {"$ref": "#/$defs/text", "description": "Why the finding is accepted (a change ticket, ...)."},
        "owner": {"$ref": "#/$defs/text", "description": "Who accepted it."},
        "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD; after that day the waiver no longer applies."}
      },
      "anyOf": [
        {"required": ["fingerprint"]},
        {"required": ["kind"]},
        {"required": ["flow"]}
      ]
    }
  }
}
"""# + "\n"

    /// Every schema with its file name in `Reports/schema/`.
    public static let all: [(fileName: String, text: String)] = [
        ("report.schema.json", report),
        ("matrix.schema.json", matrix),
        ("waivers.schema.json", waivers),
    ]
}
