/**
 * Storage-server announcements as a Tahoe-LAFS 1.20 client stores them:
 * the introducer caches `private/introducer_<name>_cache.yaml` (a YAML list
 * of `{ann: {...}, key_s: "v0-…"}`) and the static servers of
 * `private/servers.yaml` (`storage: {SERVERID: {ann: {...}}}`).
 *
 * A malformed entry is reported as a problem and skipped, so one damaged
 * entry never hides the other servers.
 *
 * @module
 */

import { FAILSAFE_SCHEMA, load as loadYaml, Type, types } from "js-yaml";

/** One storage server's announcement, from a cache or `servers.yaml`. */
export interface Announcement {
  /** The server id, `v0-…`: `key_s` in a cache, the key in `servers.yaml`. */
  readonly serverId: string;
  /** The announcement's fields (`nickname`, `grid-manager-certificates`, …). */
  readonly ann: Readonly<Record<string, unknown>>;
  /** The file the announcement came from. */
  readonly source: string;
  /** Whether it is a static server from `servers.yaml`. */
  readonly isStatic: boolean;
}

/** An entry that could not be read, and what the client does with it. */
export interface AnnouncementProblem {
  /** The file the entry is in. */
  readonly source: string;
  /** One line: which entry, what is wrong, and its effect. */
  readonly message: string;
}

/** The announcements read from one or more files. */
export interface AnnouncementSet {
  /** Storage announcements, in file order. */
  readonly announcements: readonly Announcement[];
  /** Malformed entries that were skipped. */
  readonly problems: readonly AnnouncementProblem[];
}

// Tahoe reads these files with PyYAML's safe_load, which resolves plain
// scalars by YAML 1.1 rules: "yes", "on" and "off" are booleans, "017" is
// octal, "1_000" and "1:20" (base 60) are numbers, "1e3" and "0o17" are
// strings, and "=" is an error. js-yaml's default schema follows YAML 1.2,
// so the schema below repeats PyYAML's resolvers.
const YAML11_NULL = /^(?:~|null|Null|NULL|)$/;
const YAML11_BOOL =
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML11_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const YAML11_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** Splits a sign off `text`; returns the sign (1 or -1) and the rest. */
function splitSign(text: string): [number, string] {
  if (text.startsWith("-")) return [-1, text.slice(1)];
  if (text.startsWith("+")) return [1, text.slice(1)];
  return [1, text];
}

/** Reads `a:b:c` as a base 60 number, as PyYAML does. */
function base60(text: string, parse: (part: string) => number): number {
  return text.split(":").reduce((total, part) => total * 60 + parse(part), 0);
}

function constructInt(data: string): number {
  const [sign, rest] = splitSign(data.replaceAll("_", ""));
  if (rest === "0") return 0;
  if (rest.startsWith("0b")) return sign * parseInt(rest.slice(2), 2);
  if (rest.startsWith("0x")) return sign * parseInt(rest.slice(2), 16);
  if (rest.startsWith("0")) return sign * parseInt(rest, 8);
  if (rest.includes(":")) return sign * base60(rest, Number);
  return sign * Number(rest);
}

function constructFloat(data: string): number {
  const [sign, rest] = splitSign(data.replaceAll("_", "").toLowerCase());
  if (rest === ".inf") return sign * Infinity;
  if (rest === ".nan") return NaN;
  if (rest.includes(":")) return sign * base60(rest, Number);
  return sign * Number(rest);
}

const YAML11_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type("tag:yaml.org,2002:null", {
      kind: "scalar",
      resolve: (data: string) => YAML11_NULL.test(data),
      construct: () => null,
    }),
    new Type("tag:yaml.org,2002:bool", {
      kind: "scalar",
      resolve: (data: string) => YAML11_BOOL.test(data),
      construct: (data: string) =>
        ["yes", "true", "on"].includes(data.toLowerCase()),
    }),
    new Type("tag:yaml.org,2002:int", {
      kind: "scalar",
      resolve: (data: string) => YAML11_INT.test(data),
      construct: constructInt,
    }),
    new Type("tag:yaml.org,2002:float", {
      kind: "scalar",
      resolve: (data: string) => YAML11_FLOAT.test(data),
      construct: constructFloat,
    }),
    types.timestamp,
    types.merge,
    new Type("tag:yaml.org,2002:value", {
      kind: "scalar",
      resolve: (data: string) => data === "=",
      construct: () => {
        throw new Error(`PyYAML cannot load the value "="`);
      },
    }),
  ],
  explicit: [types.binary, types.omap, types.pairs, types.set],
});

/**
 * Loads YAML text as Tahoe-LAFS does (PyYAML's `safe_load`, YAML 1.1
 * scalars).
 *
 * @throws {Error} when the text is not YAML that PyYAML loads.
 */
export function loadTahoeYaml(text: string, source = "YAML text"): unknown {
  // PyYAML lets a repeated key replace the earlier value; js-yaml does so
  // only in its JSON mode, which changes nothing else on loading.
  return loadYaml(text, {
    filename: source,
    schema: YAML11_SCHEMA,
    json: true,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseYaml(
  text: string,
  source: string,
): { value?: unknown; problem?: AnnouncementProblem } {
  try {
    return { value: loadTahoeYaml(text, source) };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    return {
      problem: {
        source,
        message: `${source} is not valid YAML (${message}); ` +
          `the client ignores it, so restart the client to rewrite it`,
      },
    };
  }
}

/**
 * Parses an introducer cache, `private/introducer_<name>_cache.yaml`.
 * Entries for services other than `storage` are skipped silently, because
 * the client does not use them for uploads.
 *
 * @param source names the file in problems and in each announcement.
 */
export function parseIntroducerCache(
  text: string,
  source: string,
): AnnouncementSet {
  const { value, problem } = parseYaml(text, source);
  if (problem) return { announcements: [], problems: [problem] };
  // An empty file is an empty cache: the client has heard nothing yet.
  if (value === null || value === undefined) {
    return { announcements: [], problems: [] };
  }
  if (!Array.isArray(value)) {
    return {
      announcements: [],
      problems: [{
        source,
        message:
          `${source} is not a YAML list of announcements; the client ignores the whole file`,
      }],
    };
  }
  const announcements: Announcement[] = [];
  const problems: AnnouncementProblem[] = [];
  for (const [index, entry] of value.entries()) {
    const where = `${source} entry ${index + 1}`;
    if (!isRecord(entry)) {
      problems.push({
        source,
        message: `${where} is not a mapping; the client skips it`,
      });
      continue;
    }
    // The client reads "key_s", "ann" and its "service-name" without a
    // check, so a missing one raises and ends the reading of the cache.
    const ann = entry.ann;
    if (
      typeof entry.key_s !== "string" || !isRecord(ann) ||
      !("service-name" in ann)
    ) {
      const later = value.length - index - 1;
      problems.push({
        source,
        message:
          `${where} lacks a "key_s" string or an "ann" mapping with "service-name"; ` +
          `the client stops reading the cache there, so ${later} later ` +
          `entr${
            later === 1 ? "y is" : "ies are"
          } unused until the introducer sends them again`,
      });
      break;
    }
    if (ann["service-name"] !== "storage") continue;
    if (!entry.key_s.startsWith("v0-")) {
      problems.push({
        source,
        message: `${where}: server id ${
          JSON.stringify(entry.key_s)
        } does not start with "v0-"; the client skips it`,
      });
      continue;
    }
    announcements.push({
      serverId: entry.key_s,
      ann,
      source,
      isStatic: false,
    });
  }
  return { announcements, problems };
}

/**
 * Parses `private/servers.yaml`, the static server list. Its servers take
 * precedence over anything an introducer announces for the same id.
 *
 * @param source names the file in problems and in each announcement.
 */
export function parseStaticServers(
  text: string,
  source: string,
): AnnouncementSet {
  const { value, problem } = parseYaml(text, source);
  if (problem) return { announcements: [], problems: [problem] };
  if (value === null || value === undefined) {
    return { announcements: [], problems: [] };
  }
  const storage = isRecord(value) ? value.storage : undefined;
  if (storage === undefined || storage === null) {
    return { announcements: [], problems: [] };
  }
  if (!isRecord(storage)) {
    return {
      announcements: [],
      problems: [{
        source,
        message:
          `${source}: "storage" is not a mapping of server id to {ann: ...}; the client fails to start with it`,
      }],
    };
  }
  const announcements: Announcement[] = [];
  const problems: AnnouncementProblem[] = [];
  for (const [serverId, entry] of Object.entries(storage)) {
    const ann = isRecord(entry) ? entry.ann : undefined;
    if (!isRecord(ann)) {
      problems.push({
        source,
        message:
          `${source}: static server ${serverId} has no "ann" mapping; the client does not use it`,
      });
      continue;
    }
    announcements.push({ serverId, ann, source, isStatic: true });
  }
  return { announcements, problems };
}

/** A server with the announcement the client uses for it. */
export interface AnnouncedServer {
  /** The announcement in effect. */
  readonly announcement: Announcement;
  /**
   * For a static server, the introducer announcement it hides. The client
   * uses that one instead when it cannot load the static entry.
   */
  readonly hiddenAnnouncement?: Announcement;
  /** Every file that announced this server, in the order read. */
  readonly sources: readonly string[];
}

function sequenceNumber(announcement: Announcement): number {
  const value = announcement.ann.seqnum;
  return typeof value === "number" ? value : -Infinity;
}

/**
 * Combines announcement sets into one entry per server id, as the client's
 * storage broker does: a static server hides every introducer announcement
 * for its id, unless the client cannot load the static entry (see
 * {@link AnnouncedServer.hiddenAnnouncement}). Among introducer announcements the one with the highest
 * `seqnum` wins, because a server numbers its announcements in order and
 * the client replaces an older one when a newer one arrives. On equal
 * numbers the one read last wins. The result is sorted by server id.
 */
export function mergeAnnouncements(
  sets: readonly AnnouncementSet[],
): AnnouncedServer[] {
  const chosen = new Map<string, Announcement>();
  const introduced = new Map<string, Announcement>();
  const sources = new Map<string, string[]>();
  for (const set of sets) {
    for (const announcement of set.announcements) {
      const id = announcement.serverId;
      const list = sources.get(id) ?? [];
      list.push(announcement.source);
      sources.set(id, list);
      if (announcement.isStatic) {
        chosen.set(id, announcement);
        continue;
      }
      const current = introduced.get(id);
      if (
        current === undefined ||
        sequenceNumber(announcement) >= sequenceNumber(current)
      ) {
        introduced.set(id, announcement);
      }
    }
  }
  const ids = new Set([...chosen.keys(), ...introduced.keys()]);
  return [...ids].sort().map((id) => {
    const fromIntroducer = introduced.get(id);
    const fromStatic = chosen.get(id);
    if (fromStatic === undefined) {
      return { announcement: fromIntroducer!, sources: sources.get(id)! };
    }
    return {
      announcement: fromStatic,
      hiddenAnnouncement: fromIntroducer,
      sources: sources.get(id)!,
    };
  });
}
