/**
 * Client status: the storage servers a Tahoe-LAFS 1.20 client may upload to,
 * and the reason for each verdict.
 *
 * The rules follow the client (`allmydata.storage_client` and
 * `allmydata.grid_manager.create_grid_manager_verifier`):
 *
 * - The client loads every announced certificate first. A certificate it
 *   cannot load (not a mapping, a missing field, a signature that is not
 *   base32) raises, and the client drops the whole announcement: the server
 *   is not used at all. This happens with or without Grid Managers.
 * - With no `[grid_managers]` entry, every server may receive uploads.
 * - Otherwise a certificate counts when its signature verifies under a
 *   configured key. A counted certificate whose signed payload is not JSON
 *   makes the client drop the announcement.
 * - At upload time the client walks the counted certificates in order. It
 *   reads `expires` with `datetime.fromisoformat` and `public_key` before
 *   comparing anything, so a bad field raises and the upload fails. A
 *   certificate whose `public_key` is `"pub-" + server id` and whose
 *   expiry is later than now lets the server receive uploads.
 * - The version field is never read: a version 2 certificate that passes
 *   the checks above is accepted.
 *
 * @module
 */

import { countOf } from "./plural.ts";
import type { AnnouncedServer, AnnouncementProblem } from "./announcements.ts";
import { decodeBase32 } from "./base32.ts";
import { verify } from "./ed25519.ts";
import { type ClientSettings, shareCountProblem } from "./client_settings.ts";
import { GridManagerError } from "./errors.ts";
import {
  describeTimeDifference,
  NaiveTimeError,
  parseIsoTime,
} from "./time.ts";

/**
 * The client's verdict on one announced certificate:
 * - `unloadable`: the client cannot load it and drops the announcement.
 * - `unchecked`: no Grid Manager is configured, so it plays no part.
 * - `unsigned`: no configured Grid Manager key verifies its signature.
 * - `faulty`: signed, but reading its fields raises at upload time.
 * - `other-key`: signed, but it names another server's key.
 * - `expired`: signed and for this server, but no longer valid.
 * - `valid`: signed, for this server, and not expired.
 */
export type CertificateVerdict =
  | "unloadable"
  | "unchecked"
  | "unsigned"
  | "faulty"
  | "other-key"
  | "expired"
  | "valid";

/** One announced certificate and the client's verdict on it. */
export interface CertificateReport {
  /** Position in the announcement, from 0 as in `NAME.cert.N` and `list`. */
  readonly index: number;
  /** The verdict. */
  readonly verdict: CertificateVerdict;
  /** Names of the configured Grid Managers whose key verifies it. */
  readonly signedBy: readonly string[];
  /** The key the payload names, when readable. */
  readonly publicKey?: string;
  /** The payload's `expires` text, when readable. */
  readonly expires?: string;
  /** The expiry in microseconds since the epoch, when readable. */
  readonly expiresMicros?: number;
  /** The payload's `version`, when readable. */
  readonly version?: unknown;
  /** The reason for an `unloadable` or `faulty` verdict. */
  readonly reason?: string;
  /** Facts worth knowing that do not change the verdict. */
  readonly notes: readonly string[];
}

/**
 * Whether the client may upload to a server:
 * - `allowed`: it may receive uploads.
 * - `refused`: the client skips it for uploads.
 * - `dropped`: the client does not use it at all.
 * - `breaks-uploads`: checking it raises, so uploads fail while it is
 *   connected.
 */
export type ServerVerdict =
  | "allowed"
  | "refused"
  | "dropped"
  | "breaks-uploads";

/** One storage server as the client sees it. */
export interface ServerReport {
  /** The server id, `v0-…`. */
  readonly serverId: string;
  /** The announced nickname, when it is a string. */
  readonly nickname?: string;
  /** Whether it comes from `servers.yaml`. */
  readonly isStatic: boolean;
  /** Every file that announced it. */
  readonly sources: readonly string[];
  /** Its certificates, in announcement order. */
  readonly certificates: readonly CertificateReport[];
  /** The verdict. */
  readonly verdict: ServerVerdict;
  /** One sentence explaining the verdict. */
  readonly reason: string;
  /** Connection status from the node's web API, when asked for. */
  readonly connection?: string;
}

/** The whole status of a client. */
export interface StatusReport {
  /** The time the verdicts are for, in microseconds since the epoch. */
  readonly nowMicros: number;
  /** The client's settings. */
  readonly settings: ClientSettings;
  /** One report per server, sorted by server id. */
  readonly servers: readonly ServerReport[];
  /** Malformed announcement entries. */
  readonly problems: readonly AnnouncementProblem[];
  /** Servers that may receive uploads. */
  readonly allowedCount: number;
  /** Allowed servers that are connected; only with connection data. */
  readonly connectedAllowedCount?: number;
  /** Servers whose check raises. */
  readonly breakingCount: number;
  /** Whether a new upload can place shares on `shares.happy` servers. */
  readonly uploadsCanSucceed: boolean;
  /** One or two sentences stating whether new uploads can succeed. */
  readonly summary: string;
}

const encoder = new TextEncoder();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A certificate the client loaded: payload text and signature bytes. */
interface LoadedCertificate {
  readonly certificate: string;
  readonly signature: Uint8Array;
}

/**
 * Loads an announced certificate as the client does: a mapping whose
 * `certificate` is a string and whose `signature` is base32. Other keys are
 * ignored. Returns the reason when the client would raise.
 */
function loadCertificate(value: unknown): LoadedCertificate | string {
  if (!isRecord(value)) return "it is not a mapping";
  if (typeof value.certificate !== "string") {
    return `"certificate" is missing or not a string`;
  }
  if (typeof value.signature !== "string") {
    return `"signature" is missing or not a string`;
  }
  try {
    return {
      certificate: value.certificate,
      signature: decodeBase32(value.signature),
    };
  } catch (error) {
    return `the signature is not base32 (${(error as Error).message})`;
  }
}

function certificateList(ann: Readonly<Record<string, unknown>>): unknown[] {
  const value = ann["grid-manager-certificates"];
  if (value === undefined || value === null) {
    // The client iterates the value, so null raises; absent means none.
    return value === null ? [null] : [];
  }
  if (Array.isArray(value)) return value;
  // Iterating a string yields characters and a mapping its keys: each
  // raises when loaded, and an empty one yields nothing.
  if (typeof value === "string") return [...value];
  if (isRecord(value)) return Object.keys(value);
  return [value];
}

/** The outcome of the client's upload-time check of one counted certificate. */
type UploadCheck =
  | { kind: "raises"; reason: string }
  | { kind: "other-key" }
  | { kind: "expired" }
  | { kind: "valid" };

interface PayloadFacts {
  publicKey?: string;
  expires?: string;
  expiresMicros?: number;
  version?: unknown;
  check: UploadCheck;
  notes: string[];
}

/**
 * Reads a signed payload in the order the client does: `expires` first,
 * then `public_key`, then the comparison with the server id, then the
 * expiry against now.
 */
function checkPayload(
  payload: unknown,
  serverId: string,
  now: number,
): PayloadFacts {
  const notes: string[] = [];
  if (!isRecord(payload)) {
    return {
      check: { kind: "raises", reason: "the signed payload is not an object" },
      notes,
    };
  }
  const facts: PayloadFacts = {
    version: payload.version,
    check: { kind: "valid" },
    notes,
  };
  if (typeof payload.public_key === "string") {
    facts.publicKey = payload.public_key;
  }
  if (payload.version !== 1) {
    notes.push(
      `version ${
        JSON.stringify(payload.version) ?? "missing"
      }: Tahoe-LAFS 1.20 does not check the version, so it treats this like version 1`,
    );
  }
  const expires = payload.expires;
  if (typeof expires !== "string") {
    facts.check = {
      kind: "raises",
      reason: `"expires" is missing or not a string`,
    };
    return facts;
  }
  facts.expires = expires;
  let naive = false;
  try {
    const parsed = parseIsoTime(expires);
    facts.expiresMicros = parsed.micros;
    if (parsed.needsPython311) {
      notes.push(
        "clients on Python 3.10 and older cannot read this expiry",
      );
    }
  } catch (error) {
    // parseIsoTime rejects a time without a UTC offset, which Python reads
    // as a naive time that only fails later, in the comparison with now.
    naive = error instanceof NaiveTimeError;
    if (!naive) {
      facts.check = {
        kind: "raises",
        reason: `"expires" is not a time Tahoe can read: ${
          (error as Error).message
        }`,
      };
      return facts;
    }
  }
  const publicKey = payload.public_key;
  // deno-lint-ignore no-control-regex
  if (typeof publicKey !== "string" || !/^[\x00-\x7f]*$/.test(publicKey)) {
    facts.check = {
      kind: "raises",
      reason: `"public_key" is missing or not an ASCII string`,
    };
    return facts;
  }
  if (publicKey !== "pub-" + serverId) {
    facts.check = { kind: "other-key" };
    return facts;
  }
  if (naive) {
    facts.check = {
      kind: "raises",
      reason:
        `"expires" has no UTC offset, so comparing it with the current time raises`,
    };
    return facts;
  }
  facts.check = facts.expiresMicros! > now
    ? { kind: "valid" }
    : { kind: "expired" };
  return facts;
}

/** Describes when `micros` is relative to `now`: "in 12 days", "3 days ago". */
export function describeRelativeTime(micros: number, now: number): string {
  const text = describeTimeDifference((now - micros) / 1_000_000);
  const future = " in the future";
  return text.endsWith(future) ? "in " + text.slice(0, -future.length) : text;
}

function verdictOf(check: UploadCheck): CertificateVerdict {
  return check.kind === "raises" ? "faulty" : check.kind;
}

function nicknameOf(
  ann: Readonly<Record<string, unknown>>,
): string | undefined {
  return typeof ann.nickname === "string" ? ann.nickname : undefined;
}

/**
 * Decides what the client does with one server, given its announcement,
 * the client's settings and the current time.
 */
export function checkServer(
  server: AnnouncedServer,
  settings: ClientSettings,
  now: number,
): ServerReport {
  const { announcement, sources } = server;
  const base = {
    serverId: announcement.serverId,
    nickname: nicknameOf(announcement.ann),
    isStatic: announcement.isStatic,
    sources,
  };
  const keys = settings.gridManagers;
  const loaded = certificateList(announcement.ann).map(loadCertificate);

  const reports: CertificateReport[] = [];
  let dropReason: string | undefined;
  // Certificates that verify, with the outcome of their upload-time check,
  // in the client's order: certificates outer, keys inner.
  const counted: UploadCheck[] = [];
  let firstAllowedBy: string[] = [];

  loaded.forEach((item, i) => {
    const index = i;
    if (typeof item === "string") {
      dropReason ??= `certificate ${index} cannot be loaded: ${item}`;
      reports.push({
        index,
        verdict: "unloadable",
        signedBy: [],
        reason: item,
        notes: [],
      });
      return;
    }
    let payload: unknown;
    let payloadIsJson = true;
    try {
      payload = JSON.parse(item.certificate);
    } catch {
      payloadIsJson = false;
    }
    const facts = payloadIsJson
      ? checkPayload(payload, announcement.serverId, now)
      : undefined;
    const message = encoder.encode(item.certificate);
    const signedBy = keys
      .filter((key) => verify(key.keyBytes, item.signature, message))
      .map((key) => key.name);
    const common = {
      index,
      signedBy,
      publicKey: facts?.publicKey,
      expires: facts?.expires,
      expiresMicros: facts?.expiresMicros,
      version: facts?.version,
      notes: facts?.notes ?? [],
    };
    if (keys.length === 0) {
      reports.push({ ...common, verdict: "unchecked" });
      return;
    }
    if (signedBy.length === 0) {
      reports.push({ ...common, verdict: "unsigned" });
      return;
    }
    if (!facts) {
      const reason = "the signed payload is not JSON";
      dropReason ??= `certificate ${index} cannot be loaded: ${reason}`;
      reports.push({ ...common, verdict: "unloadable", reason });
      return;
    }
    for (const _name of signedBy) counted.push(facts.check);
    if (facts.check.kind === "valid" && firstAllowedBy.length === 0) {
      firstAllowedBy = signedBy;
    }
    reports.push({
      ...common,
      verdict: verdictOf(facts.check),
      reason: facts.check.kind === "raises" ? facts.check.reason : undefined,
    });
  });

  if (dropReason !== undefined) {
    return {
      ...base,
      certificates: reports,
      verdict: "dropped",
      reason:
        `not used at all: ${dropReason}, so the client drops the announcement`,
    };
  }
  if (keys.length === 0) {
    return {
      ...base,
      certificates: reports,
      verdict: "allowed",
      reason: "may receive uploads: no Grid Manager is configured",
    };
  }
  for (const check of counted) {
    if (check.kind === "raises") {
      return {
        ...base,
        certificates: reports,
        verdict: "breaks-uploads",
        reason:
          `uploads fail while it is connected: checking a signed certificate raises (${check.reason})`,
      };
    }
    if (check.kind === "valid") {
      const valid = reports.find((report) => report.verdict === "valid")!;
      return {
        ...base,
        certificates: reports,
        verdict: "allowed",
        reason: `may receive uploads: certificate ${valid.index} from ${
          firstAllowedBy.join(", ")
        } is valid`,
      };
    }
  }
  return {
    ...base,
    certificates: reports,
    verdict: "refused",
    reason: "receives no uploads: " + describeRefusal(reports),
  };
}

function describeRefusal(reports: readonly CertificateReport[]): string {
  if (reports.length === 0) return "it announces no Grid Manager certificate";
  const counts = new Map<CertificateVerdict, number>();
  for (const report of reports) {
    counts.set(report.verdict, (counts.get(report.verdict) ?? 0) + 1);
  }
  const phrases: string[] = [];
  const add = (verdict: CertificateVerdict, text: string) => {
    const count = counts.get(verdict);
    if (count) phrases.push(`${count} ${text}`);
  };
  add("expired", "expired");
  add("other-key", "for another server's key");
  add("unsigned", "signed by no configured Grid Manager");
  return `of its ${countOf(reports.length, "certificate")}, ${
    phrases.join(", ")
  }`;
}

/**
 * Checks a server, and for a static entry the client cannot load, the
 * introducer announcement the client then uses: Tahoe marks an id as static
 * only once its entry loads.
 */
function checkServerOrFallback(
  server: AnnouncedServer,
  settings: ClientSettings,
  now: number,
): ServerReport {
  const report = checkServer(server, settings, now);
  const hidden = server.hiddenAnnouncement;
  if (report.verdict !== "dropped" || hidden === undefined) return report;
  const fallback = checkServer(
    { announcement: hidden, sources: server.sources },
    settings,
    now,
  );
  return {
    ...fallback,
    reason:
      `${fallback.reason} (the static entry in ${server.announcement.source} cannot be loaded, so the client uses the introducer's announcement)`,
  };
}

/** Connection data from the node's web API, by server id. */
export type ConnectionStatuses = ReadonlyMap<string, string>;

/**
 * Parses the node's `GET /?t=json` response into connection status by
 * server id.
 *
 * @throws {GridManagerError} when it is not the expected JSON.
 */
export function parseWebStatus(text: string, source: string): Map<
  string,
  string
> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GridManagerError(
      `${source} did not return JSON; give the client's web API URL (web.port in tahoe.cfg)`,
    );
  }
  const servers = isRecord(value) ? value.servers : undefined;
  if (!Array.isArray(servers)) {
    throw new GridManagerError(
      `${source} returned JSON without a "servers" list; give a Tahoe client's web API URL`,
    );
  }
  const statuses = new Map<string, string>();
  for (const server of servers) {
    if (isRecord(server) && typeof server.nodeid === "string") {
      statuses.set(
        server.nodeid,
        typeof server.connection_status === "string"
          ? server.connection_status
          : "unknown",
      );
    }
  }
  return statuses;
}

function isConnected(status: string | undefined): boolean {
  return status !== undefined && status.startsWith("Connected") ||
    status === "connected";
}

/**
 * Builds the status report of a client: a verdict per server and whether
 * new uploads can reach `shares.happy` servers.
 *
 * @param connections connection status by server id from the web API;
 *   when given, only connected servers count towards `shares.happy`.
 */
export function buildStatusReport(
  servers: readonly AnnouncedServer[],
  problems: readonly AnnouncementProblem[],
  settings: ClientSettings,
  now: number,
  connections?: ConnectionStatuses,
): StatusReport {
  const reports = servers.map((server) => {
    const report = checkServerOrFallback(server, settings, now);
    if (!connections) return report;
    return {
      ...report,
      connection: connections.get(server.announcement.serverId) ??
        "not known to the running client",
    };
  });
  const allProblems = [...problems];
  if (connections) {
    const announced = new Set(reports.map((report) => report.serverId));
    for (const [id, connection] of connections) {
      if (announced.has(id)) continue;
      allProblems.push({
        source: "web API",
        message:
          `server ${id} (${connection}) is known to the running client but in no announcement file, so its certificates are unknown`,
      });
    }
  }
  const allowed = reports.filter((report) => report.verdict === "allowed");
  const breaking = reports.filter((report) =>
    report.verdict === "breaks-uploads" &&
    (!connections || isConnected(report.connection))
  );
  const connectedAllowed = connections
    ? allowed.filter((report) => isConnected(report.connection)).length
    : undefined;
  const usable = connectedAllowed ?? allowed.length;
  const happy = settings.sharesHappy;
  const countProblem = shareCountProblem(settings);
  // With shares.happy at 0 or below, an upload still needs one server.
  const uploadsCanSucceed = countProblem === undefined &&
    breaking.length === 0 && usable >= Math.max(happy, 1);

  const counted = connections
    ? `${
      countOf(usable, "connected server")
    } may receive uploads (${allowed.length} of ${reports.length} allowed)`
    : `${allowed.length} of ${
      countOf(reports.length, "server")
    } may receive uploads`;
  let policy = settings.gridManagers.length === 0
    ? "No Grid Manager is configured, so every server is used. "
    : "";
  if (reports.length === 0) {
    policy +=
      "The client has no storage announcements yet; start it, or check its introducer configuration. ";
  }
  let verdict: string;
  if (countProblem !== undefined) {
    verdict =
      `New uploads fail: ${countProblem} in [client] of tahoe.cfg; fix the share counts.`;
  } else if (breaking.length > 0) {
    verdict = `New uploads fail: checking ${
      breaking.map((report) => report.serverId).join(", ")
    } raises in the client.`;
  } else if (uploadsCanSucceed) {
    // Without the web API nothing shows whether the servers are reachable.
    verdict = connections
      ? `New uploads can succeed (shares.happy = ${happy}).`
      : `New uploads can succeed (shares.happy = ${happy}) if these servers are connected; add --web URL (the client's node.url) to check connections.`;
  } else {
    verdict = `New uploads fail: shares.happy = ${happy} needs ${
      countOf(
        Math.max(happy, 1) - usable,
        "more allowed server",
      )
    }.`;
  }
  return {
    nowMicros: now,
    settings,
    servers: reports,
    problems: allProblems,
    allowedCount: allowed.length,
    connectedAllowedCount: connectedAllowed,
    breakingCount: breaking.length,
    uploadsCanSucceed,
    summary: `${policy}${counted}. ${verdict}`,
  };
}
