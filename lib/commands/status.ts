/**
 * The client-side and certificate commands: `status` (which servers a
 * client may upload to), `inspect` (decode a certificate) and `verify`
 * (check a certificate as a client does).
 *
 * @module
 */

import { join } from "node:path";
import {
  type AnnouncementSet,
  mergeAnnouncements,
  parseIntroducerCache,
  parseStaticServers,
} from "../announcements.ts";
import {
  decodeCertificate,
  type DecodedCertificate,
  verifyCertificate,
} from "../certificate_check.ts";
import {
  type Command,
  JSON_OPTION,
  NODE_DIRECTORY_OPTION,
} from "../command.ts";
import { ExitCode, GridManagerError, UsageError } from "../errors.ts";
import {
  fileError,
  printMessage,
  printWarning,
  readStdinText,
  readTextFile,
  writeStdout,
} from "../io.ts";
import {
  decodePublicKey,
  encodePublicKey,
  GRID_MANAGER_KEY_SOURCE,
  normalizePublicKey,
  SERVER_KEY_SOURCE,
  weakGridManagerKeyReason,
} from "../keys.ts";
import {
  buildStatusReport,
  describeRelativeTime,
  parseWebStatus,
} from "../status.ts";
import { readClientSettings } from "../client_settings.ts";
import { formatStatusReport, statusReportJson } from "../status_format.ts";
import { parseTahoeCfg } from "../tahoe_cfg.ts";
import { escapeLineForTerminal } from "../terminal_text.ts";
import { countOf } from "../plural.ts";
import {
  formatDisplayTime,
  nowMicros,
  parseDayCount,
  parseIsoTime,
} from "../time.ts";
import { cfgPath, nodeDirectory, readCfg } from "./node_store.ts";

/** Largest --warn-days: 100 years, as for list --expiring. */
const MAX_WARN_DAYS = 36_500;

const NOW_OPTION = {
  type: "string",
  valueName: "TIME",
  help:
    "judge expiry at this ISO 8601 time with a UTC offset instead of the current time",
} as const;

/** Parses `--now`, or returns the current time when it is not given. */
export function parseNowOption(value: string | boolean | undefined): number {
  if (typeof value !== "string") return nowMicros();
  try {
    return parseIsoTime(value).micros;
  } catch (error) {
    // The parser's message starts by quoting the time; say which option.
    const reason = (error as Error).message.replace(
      /^(invalid )?time "(?:[^"\\]|\\.)*"(; )?/,
      "",
    );
    throw new UsageError(
      `invalid --now ${JSON.stringify(value)}: ${reason}`,
    );
  }
}

function readAnnouncementFiles(directory: string): AnnouncementSet[] {
  const privateDirectory = join(directory, "private");
  let names: string[];
  try {
    names = [...Deno.readDirSync(privateDirectory)]
      .filter((entry) => entry.isFile)
      .map((entry) => entry.name);
  } catch (error) {
    throw fileError(error, privateDirectory, "client private directory");
  }
  const caches = names
    .filter((name) => /^introducer_.+_cache\.yaml$/.test(name))
    .sort();
  const sets = caches.map((name) => {
    const path = join(privateDirectory, name);
    return parseIntroducerCache(readTextFile(path, "announcement cache"), path);
  });
  // Static servers go last so that they take precedence when merged.
  if (names.includes("servers.yaml")) {
    const path = join(privateDirectory, "servers.yaml");
    sets.push(parseStaticServers(readTextFile(path, "static servers"), path));
  }
  return sets;
}

/**
 * Builds the `?t=json` URL of the web API at `base`, keeping its path.
 *
 * @throws {UsageError} for a URL that is not http(s) on this machine: the
 *   program may reach only 127.0.0.1 and localhost.
 */
export function webStatusUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(
      `invalid --web URL ${
        JSON.stringify(base)
      }; give the client's web API, like http://127.0.0.1:3456`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `invalid --web URL ${JSON.stringify(base)}: use http:// or https://`,
    );
  }
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
    throw new UsageError(
      `--web URL ${
        JSON.stringify(base)
      } is not on this machine; give the client's web API on 127.0.0.1 or localhost (its node.url)`,
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "?t=json";
  url.hash = "";
  return url;
}

/** Warns when `url` is not the web API the client wrote to node.url. */
function checkNodeUrl(directory: string, url: URL): void {
  let nodeUrl: string;
  try {
    nodeUrl = Deno.readTextFileSync(join(directory, "node.url")).trim();
  } catch {
    return; // A client that never ran has no node.url.
  }
  let expected: URL;
  try {
    expected = webStatusUrl(nodeUrl);
  } catch {
    return;
  }
  const same = (a: URL) => a.href.replace("//localhost", "//127.0.0.1");
  if (same(expected) !== same(url)) {
    printWarning(
      `--web ${url.origin}${url.pathname} is not this client's node.url (${nodeUrl}); the connections shown may be another node's`,
    );
  }
}

async function fetchConnections(url: URL): Promise<Map<string, string>> {
  let text: string;
  try {
    // A redirect could lead off this machine, which the program may not
    // reach; report it instead of following it.
    const response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      redirect: "manual",
    });
    text = await response.text();
    if (response.status >= 300 && response.status < 400) {
      throw new GridManagerError(
        `${url} redirects to ${
          response.headers.get("location") ?? "an unnamed place"
        }; give the client's web API URL itself (its node.url)`,
      );
    }
    if (!response.ok) {
      throw new GridManagerError(
        `${url} returned HTTP ${response.status}; check --web`,
      );
    }
  } catch (error) {
    if (error instanceof GridManagerError) throw error;
    throw new GridManagerError(
      `cannot read ${url}: ${
        (error as Error).message.split("\n")[0]
      }; check that the client is running and web.port in its tahoe.cfg`,
    );
  }
  return parseWebStatus(text, url.toString());
}

const status: Command = {
  name: "status",
  usage: "",
  summary: "Show which storage servers a client may upload to, and why",
  description:
    "Reads tahoe.cfg, private/introducer_*_cache.yaml and private/servers.yaml\n" +
    "of the client. Exits 0 when new uploads can reach shares.happy servers, 1 when not.\n" +
    "Exit 1 also means the inputs could not be read; then the reason is on stderr\n" +
    "and nothing on stdout, while a report of failing uploads is on stdout.",
  options: {
    "node-directory": NODE_DIRECTORY_OPTION,
    json: JSON_OPTION,
    now: NOW_OPTION,
    web: {
      type: "string",
      valueName: "URL",
      help:
        "also read connection status from the client's web API at URL (its node.url; GET URL/?t=json)",
    },
  },
  arguments: { min: 0, max: 0 },
  async run({ options }) {
    const directory = nodeDirectory(options["node-directory"]);
    const now = parseNowOption(options.now);
    const path = cfgPath(directory);
    const settings = readClientSettings(
      parseTahoeCfg(readCfg(directory), path),
      path,
    );
    const sets = readAnnouncementFiles(directory);
    let connections: Map<string, string> | undefined;
    if (typeof options.web === "string") {
      const url = webStatusUrl(options.web);
      checkNodeUrl(directory, url);
      connections = await fetchConnections(url);
    }
    const report = buildStatusReport(
      mergeAnnouncements(sets),
      sets.flatMap((set) => set.problems),
      settings,
      now,
      connections,
    );
    writeStdout(
      options.json
        ? JSON.stringify(statusReportJson(report), null, 2) + "\n"
        : formatStatusReport(report),
    );
    return report.uploadsCanSucceed ? ExitCode.ok : ExitCode.failure;
  },
};

async function readCertificateInput(
  file: string | undefined,
): Promise<{ text: string; source: string }> {
  if (file === undefined || file === "-") {
    return {
      text: await readStdinText("certificate"),
      source: "standard input",
    };
  }
  return { text: readTextFile(file, "certificate"), source: file };
}

function inspectJson(certificate: DecodedCertificate, now: number): unknown {
  return {
    version: certificate.version ?? null,
    public_key: certificate.publicKey,
    server_id: certificate.publicKey.startsWith("pub-")
      ? certificate.publicKey.slice("pub-".length)
      : null,
    expires: certificate.expires,
    expired: certificate.expiresMicros <= now,
    seconds_left: Math.floor((certificate.expiresMicros - now) / 1_000_000),
    notes: certificate.notes,
  };
}

function formatInspection(
  certificate: DecodedCertificate,
  now: number,
): string {
  const state = certificate.expiresMicros > now ? "expires" : "expired";
  const lines = [
    `version: ${JSON.stringify(certificate.version) ?? "missing"}`,
    `server key: ${certificate.publicKey}`,
    `${state}: ${formatDisplayTime(certificate.expiresMicros)} (${
      describeRelativeTime(certificate.expiresMicros, now)
    })`,
    ...certificate.notes.map((note) => `note: ${note}`),
  ];
  return lines.map(escapeLineForTerminal).join("\n") + "\n";
}

const inspect: Command = {
  name: "inspect",
  usage: "[FILE|-]",
  summary: "Decode a certificate: version, server key, expiry, time left",
  description:
    "Reads FILE, or standard input when FILE is - or absent. Needs no key and\n" +
    "does not check the signature; use verify for that.",
  options: { json: JSON_OPTION, now: NOW_OPTION },
  arguments: { min: 0, max: 1 },
  async run({ args, options }) {
    const now = parseNowOption(options.now);
    const { text, source } = await readCertificateInput(args[0]);
    const certificate = decodeCertificate(text, source);
    writeStdout(
      options.json
        ? JSON.stringify(inspectJson(certificate, now), null, 2) + "\n"
        : formatInspection(certificate, now),
    );
    return ExitCode.ok;
  },
};

function parseWarnDays(
  value: string | boolean | undefined,
): number | undefined {
  if (typeof value !== "string") return undefined;
  return parseDayCount(value, "--warn-days", 0, MAX_WARN_DAYS);
}

/** What each key option of `verify` takes, for messages. */
const KEY_OPTIONS = {
  "grid-manager": {
    what:
      'the Grid Manager\'s public key, the output of "grid-manager public-identity"',
    source: GRID_MANAGER_KEY_SOURCE,
  },
  server: {
    what: "the storage server's key, the contents of its node.pubkey file",
    source: SERVER_KEY_SOURCE,
  },
} as const;

function requireKeyOption(
  value: string | boolean | undefined,
  option: keyof typeof KEY_OPTIONS,
): string {
  if (typeof value !== "string") {
    throw new UsageError(
      `missing --${option}; give ${KEY_OPTIONS[option].what}`,
    );
  }
  try {
    return normalizePublicKey(value, KEY_OPTIONS[option].source);
  } catch (error) {
    // A key that fails its check is bad input, not bad usage: exit 1, as
    // for the PUBKEY of add.
    throw new GridManagerError(`--${option}: ${(error as Error).message}`);
  }
}

const verify: Command = {
  name: "verify",
  usage: "[FILE|-]",
  summary: "Check a certificate as a Tahoe client does; exit 0, 1 or 3",
  description:
    "Valid means: the signature verifies under the Grid Manager key, the\n" +
    "certificate names the --server key (when given), and it has not expired.\n" +
    "Exits 0 when valid, 1 when invalid or expired (the reason on stderr),\n" +
    "3 when valid but expiring within --warn-days days.",
  options: {
    "grid-manager": {
      type: "string",
      valueName: "PUBKEY",
      help: "the Grid Manager's public key (pub-v0-...)",
    },
    server: {
      type: "string",
      valueName: "PUBKEY",
      help:
        "the storage server's key (its node.pubkey) the certificate must name",
    },
    "warn-days": {
      type: "string",
      valueName: "N",
      help: "exit 3 when the certificate expires within N days",
    },
    now: NOW_OPTION,
  },
  arguments: { min: 0, max: 1 },
  async run({ args, options }) {
    const gridManagerKey = decodePublicKey(
      requireKeyOption(options["grid-manager"], "grid-manager"),
    );
    const weak = weakGridManagerKeyReason(encodePublicKey(gridManagerKey));
    if (weak) throw new GridManagerError(`--grid-manager: ${weak}`);
    const serverKey = options.server === undefined
      ? undefined
      : requireKeyOption(options.server, "server");
    const warnDays = parseWarnDays(options["warn-days"]);
    const now = parseNowOption(options.now);
    const { text, source } = await readCertificateInput(args[0]);
    const result = verifyCertificate(text, {
      gridManagerKey,
      serverKey,
      now,
      warnDays,
    }, source);
    if (result.status === "invalid") {
      printMessage(`invalid: ${result.reason}`);
      return ExitCode.failure;
    }
    const { certificate } = result;
    for (const note of certificate.notes) printWarning(note);
    const when = `${formatDisplayTime(certificate.expiresMicros)} (${
      describeRelativeTime(certificate.expiresMicros, now)
    })`;
    if (result.status === "expiring") {
      printMessage(
        `valid, but expiring within ${
          countOf(warnDays ?? 0, "day")
        }: ${when}; renew it soon`,
      );
      return ExitCode.expiringSoon;
    }
    printMessage(
      `valid for ${certificate.publicKey}${
        serverKey === undefined ? " (server key not checked)" : ""
      }, expires ${when}`,
    );
    return ExitCode.ok;
  },
};

/** The client-side and certificate commands, in the order help lists them. */
export const statusCommands: readonly Command[] = [status, inspect, verify];
