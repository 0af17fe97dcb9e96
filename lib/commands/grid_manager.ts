/**
 * The Grid Manager commands, with Tahoe-LAFS's names and argument order:
 * `create`, `public-identity`, `add`, `remove`, `list` and `sign`.
 *
 * @module
 */

import { countOf } from "../plural.ts";
import { type Command, CONFIG_OPTION, JSON_OPTION } from "../command.ts";
import { ExitCode, GridManagerError, UsageError } from "../errors.ts";
import {
  addServer,
  createGridManagerConfig,
  type GridManagerConfig,
  MAX_CERTIFICATE_DAYS,
  MIN_CERTIFICATE_DAYS,
  publicIdentity,
  removeServer,
  signForServer,
} from "../grid_manager.ts";
import {
  printMessage,
  printWarning,
  withDirectoryLock,
  writeStdout,
} from "../io.ts";
import { normalizePublicKey } from "../keys.ts";
import { checkFileName, shellQuote } from "../names.ts";
import { comparePythonStrings } from "../python_json.ts";
import { findRenewalNeeds, type RenewalNeed } from "../renewal.ts";
import {
  describeTimeDifference,
  formatDisplayTime,
  MICROS_PER_DAY,
  nowMicros,
  parseDayCount,
} from "../time.ts";
import {
  createConfig,
  isStreamMode,
  listCertificateFiles,
  loadConfig,
  readStoredCertificate,
  removeCertificateFiles,
  requireConfigOption,
  storeCertificate,
  storeCertificateAfterListing,
  type StoredCertificate,
  updateConfig,
} from "./grid_manager_store.ts";
import { escapeLineForTerminal } from "../terminal_text.ts";

/** The command line that reaches the Grid Manager at `location`. */
function programFor(location: string): string {
  return `grid-manager --config ${shellQuote(location)}`;
}

/** Certificate lifetime `sign` uses when DAYS is not given. */
export const DEFAULT_CERTIFICATE_DAYS = 30;

const create: Command = {
  name: "create",
  usage: "",
  summary: "Make a new Grid Manager (a new Ed25519 key pair)",
  description:
    "DIR must not exist yet; it is created with mode 0700 and config.json with 0600.\n" +
    "With --config -, the new config (including the private key) is printed on stdout.",
  options: { config: CONFIG_OPTION },
  arguments: { min: 0, max: 0 },
  run({ options }) {
    const location = requireConfigOption(options.config);
    createConfig(location, createGridManagerConfig());
    if (!isStreamMode(location)) {
      printMessage(`created a Grid Manager in ${location}`);
    }
    return ExitCode.ok;
  },
};

const publicIdentityCommand: Command = {
  name: "public-identity",
  usage: "",
  summary: "Show the Grid Manager's public key, for clients' [grid_managers]",
  options: { config: CONFIG_OPTION },
  arguments: { min: 0, max: 0 },
  async run({ options }) {
    const config = await loadConfig(requireConfigOption(options.config));
    writeStdout(publicIdentity(config) + "\n");
    return ExitCode.ok;
  },
};

const add: Command = {
  name: "add",
  usage: "NAME PUBKEY",
  summary: "Register a storage server by name and public key",
  description:
    "PUBKEY is the content of the server's node.pubkey file (pub-v0-...).\n" +
    "With --config -, the new config is printed on stdout.",
  options: { config: CONFIG_OPTION },
  arguments: { min: 2, max: 2 },
  async run({ args, options }) {
    const location = requireConfigOption(options.config);
    const name = checkFileName(args[0]!, "server name", ExitCode.usage);
    const publicKey = normalizePublicKey(args[1]!);
    let sameKeyNames: readonly string[] = [];
    let lookAlikeNames: readonly string[] = [];
    await updateConfig(location, (config) => {
      const result = addServer(config, name, publicKey);
      sameKeyNames = result.sameKeyNames;
      lookAlikeNames = result.lookAlikeNames;
      return result.config;
    }, (directory) => {
      // Certificates of an earlier server with this name are not this one's.
      removeCertificateFiles(directory, name);
    });
    if (sameKeyNames.length > 0) {
      printWarning(
        `${publicKey} is also registered as ${
          sameKeyNames.map((n) => JSON.stringify(n)).join(", ")
        }; ` +
          `"${programFor(location)} remove NAME" the one you do not want`,
      );
    }
    if (lookAlikeNames.length > 0) {
      printWarning(
        `${JSON.stringify(name)} looks the same as the registered ${
          lookAlikeNames.map((n) => JSON.stringify(n)).join(", ")
        } (they differ only in Unicode normalization); ` +
          `"${programFor(location)} remove NAME" one of them`,
      );
    }
    if (!isStreamMode(location)) {
      printMessage(`added storage server ${JSON.stringify(name)}`);
    }
    return ExitCode.ok;
  },
};

const remove: Command = {
  name: "remove",
  usage: "NAME",
  summary: "Remove a storage server and its issued certificates",
  description:
    "Certificates already delivered stay valid until they expire.\n" +
    "With --config -, the new config is printed on stdout.",
  options: { config: CONFIG_OPTION },
  arguments: { min: 1, max: 1 },
  async run({ args, options }) {
    const location = requireConfigOption(options.config);
    const name = checkFileName(args[0]!, "server name", ExitCode.usage);
    let removedFiles = 0;
    await updateConfig(
      location,
      (config) => removeServer(config, name, programFor(location)),
      (directory) => {
        removedFiles = removeCertificateFiles(directory, name);
      },
    );
    if (!isStreamMode(location)) {
      printMessage(
        `removed storage server ${JSON.stringify(name)} and ${
          countOf(removedFiles, "certificate file")
        }`,
      );
    }
    return ExitCode.ok;
  },
};

interface ServerListing {
  name: string;
  publicKey: string;
  certificates: StoredCertificate[];
}

function collectListing(
  config: GridManagerConfig,
  location: string,
): ServerListing[] {
  const files = isStreamMode(location)
    ? new Map()
    : listCertificateFiles(location);
  // Tahoe lists names in Python's sorted() order, by code point.
  const servers = [...config.servers].sort((a, b) =>
    comparePythonStrings(a.name, b.name)
  );
  return servers.map((server) => ({
    name: server.name,
    publicKey: server.publicKey,
    certificates: (files.get(server.name) ?? []).map((
      file: { index: number; path: string },
    ) => readStoredCertificate(file, config.keys.publicKey)),
  }));
}

/**
 * Formats the listing in the layout of Tahoe's `grid-manager list`. Unlike
 * Tahoe, which stops at the first missing `NAME.cert.N`, it shows every
 * certificate file.
 *
 * NOTE: expiry times are shown in UTC. Tahoe shows them with the offset
 * they were written with, so a certificate that another tool signed with a
 * non-UTC offset is listed differently; Tahoe itself always writes +00:00.
 */
function formatListing(listing: ServerListing[], now: number): string {
  const lines: string[] = [];
  for (const server of listing) {
    // config.json may be hand-edited; show its names escaped.
    const name = escapeLineForTerminal(server.name);
    lines.push(`${name}: ${server.publicKey}`);
    // Tahoe pads by the name's length in code points, as Python counts.
    const indent = " ".repeat([...name].length);
    for (const certificate of server.certificates) {
      const prefix = `${indent}  cert ${certificate.index}: `;
      if (certificate.expiresMicros === undefined) {
        lines.push(
          `${prefix}unreadable: ${
            escapeLineForTerminal(String(certificate.error))
          }`,
        );
        continue;
      }
      const expires = formatDisplayTime(certificate.expiresMicros, " ");
      const elapsed = (now - certificate.expiresMicros) / 1_000_000;
      const difference = describeTimeDifference(elapsed);
      // Markers after Tahoe's layout: Tahoe refuses to load a foreign
      // signature at all, and shows a certificate for an old key as valid.
      const markers = (certificate.signatureValid === false
        ? " (not signed by this Grid Manager)"
        : "") +
        (certificate.publicKey !== server.publicKey
          ? " (for another key)"
          : "");
      lines.push(
        elapsed < 0
          ? `${prefix}valid until ${expires} (${difference})${markers}`
          : `${prefix}expired ${expires} (${difference})${markers}`,
      );
    }
  }
  return lines.map((line) => line + "\n").join("");
}

function listingJson(listing: ServerListing[], now: number): unknown {
  return {
    storage_servers: listing.map((server) => ({
      name: server.name,
      public_key: server.publicKey,
      certificates: server.certificates.map((certificate) => ({
        index: certificate.index,
        path: certificate.path,
        ...(certificate.expiresMicros === undefined
          ? { error: certificate.error }
          : {
            expires: formatDisplayTime(certificate.expiresMicros),
            expired: certificate.expiresMicros <= now,
            for_this_server: certificate.publicKey === server.publicKey,
            signed_by_this_grid_manager: certificate.signatureValid === true,
          }),
      })),
    })),
  };
}

const list: Command = {
  name: "list",
  usage: "",
  summary: "List registered storage servers and their certificates",
  description:
    "With --config -, no certificates are stored, so only servers are listed,\n" +
    "and --expiring lists every server.",
  options: {
    config: CONFIG_OPTION,
    json: JSON_OPTION,
    expiring: {
      type: "string",
      valueName: "DAYS",
      help:
        "list only servers with no valid certificate, or whose latest-ending one ends within DAYS days",
    },
  },
  arguments: { min: 0, max: 0 },
  async run({ options }) {
    const location = requireConfigOption(options.config);
    const config = await loadConfig(location);
    const listing = collectListing(config, location);
    const now = nowMicros();
    if (options.expiring !== undefined) {
      const within = parseWindowDays(options.expiring, "--expiring");
      const needs = renewalNeeds(listing, now, within);
      writeStdout(
        options.json
          ? JSON.stringify(renewalNeedsJson(needs), null, 2) + "\n"
          : formatRenewalNeeds(needs, now),
      );
      return ExitCode.ok;
    }
    writeStdout(
      options.json
        ? JSON.stringify(listingJson(listing, now), null, 2) + "\n"
        : formatListing(listing, now),
    );
    return ExitCode.ok;
  },
};

/** Parses the DAYS argument of `sign`: a whole number from 1 to 1825. */
export function parseCertificateDays(text: string, label = "DAYS"): number {
  return parseDayCount(
    text,
    label,
    MIN_CERTIFICATE_DAYS,
    MAX_CERTIFICATE_DAYS,
  );
}

const sign: Command = {
  name: "sign",
  usage: "NAME [DAYS]",
  summary: "Sign a certificate for a storage server, valid for DAYS days",
  description:
    `DAYS is from ${MIN_CERTIFICATE_DAYS} to ${MAX_CERTIFICATE_DAYS} (default ${DEFAULT_CERTIFICATE_DAYS}). ` +
    "The certificate is printed on stdout; in a directory it is\n" +
    "also stored as NAME.cert.N, with the lowest free N.",
  options: { config: CONFIG_OPTION },
  arguments: { min: 1, max: 2 },
  async run({ args, options }) {
    const location = requireConfigOption(options.config);
    const name = checkFileName(args[0]!, "server name", ExitCode.usage);
    const days = args[1] === undefined
      ? DEFAULT_CERTIFICATE_DAYS
      : parseCertificateDays(args[1]);
    const config = await loadConfig(location);
    const expiresMicros = nowMicros() + days * MICROS_PER_DAY;
    const { text } = signForServer(
      config,
      name,
      expiresMicros,
      programFor(location),
    );
    let path: string | undefined;
    if (!isStreamMode(location)) {
      path = storeCertificate(location, name, text);
      printMessage(`stored the certificate as ${path}`);
    }
    try {
      writeStdout(text + "\n");
    } catch (error) {
      // The stored file is the record that the certificate was issued, and
      // part of it may have reached the reader, so it stays.
      if (path === undefined || !(error instanceof GridManagerError)) {
        throw error;
      }
      throw new GridManagerError(
        `${error.message}; the certificate is kept as ${path}`,
      );
    }
    if (args[1] === undefined) {
      printMessage(
        `the certificate expires ${formatDisplayTime(expiresMicros)} ` +
          `(${DEFAULT_CERTIFICATE_DAYS} days, the default; give DAYS to change it)`,
      );
    }
    return ExitCode.ok;
  },
};

/** Largest window `--expiring` and `--within` accept: 100 years. */
export const MAX_WINDOW_DAYS = 36_500;

/** Parses the DAYS of `list --expiring` and `renew --within`. */
function parseWindowDays(
  value: string | boolean | undefined,
  option: string,
): number {
  const text = typeof value === "string" ? value : "";
  return parseDayCount(text, option, 0, MAX_WINDOW_DAYS);
}

function renewalNeeds(
  listing: ServerListing[],
  now: number,
  withinDays: number,
): RenewalNeed[] {
  const byName = new Map(
    listing.map((server) => [server.name, server.certificates]),
  );
  // The listing is already in Tahoe's order, so the needs come out in it.
  const servers = listing.map(({ name, publicKey }) => ({ name, publicKey }));
  return findRenewalNeeds(servers, byName, now, withinDays);
}

function describeNeed(need: RenewalNeed, now: number): string {
  if (need.expiresMicros === undefined) return "no valid certificate";
  return `latest-ending certificate expires ${
    formatDisplayTime(need.expiresMicros)
  } (${describeTimeDifference((now - need.expiresMicros) / 1_000_000)})`;
}

function formatRenewalNeeds(needs: RenewalNeed[], now: number): string {
  return needs.map((need) => {
    const name = escapeLineForTerminal(need.server.name);
    return `${name}: ${need.server.publicKey}\n` +
      `${" ".repeat([...name].length)}  renew: ${describeNeed(need, now)}\n`;
  }).join("");
}

function renewalNeedsJson(needs: RenewalNeed[]): unknown {
  return {
    storage_servers: needs.map((need) => ({
      name: need.server.name,
      public_key: need.server.publicKey,
      renewal: need.reason,
      expires: need.expiresMicros === undefined
        ? null
        : formatDisplayTime(need.expiresMicros),
    })),
  };
}

const renew: Command = {
  name: "renew",
  usage: "",
  summary:
    "Sign new certificates for servers whose certificates are missing or ending",
  description:
    "Signs a certificate valid for --days days for each server that\n" +
    '"list --expiring DAYS" shows, and none for the others. In a directory\n' +
    "they are stored as NAME.cert.N, with a summary on stderr. With --config -,\n" +
    "no certificates are kept, so every server is renewed, and each certificate\n" +
    'is printed on stdout as one JSON line: {"name": ..., "certificate": {...}}.',
  options: {
    config: CONFIG_OPTION,
    within: {
      type: "string",
      valueName: "DAYS",
      help:
        "renew servers with no valid certificate, or whose latest-ending one ends within DAYS days",
    },
    days: {
      type: "string",
      valueName: "N",
      help:
        `lifetime of the new certificates in days, ${MIN_CERTIFICATE_DAYS} to ${MAX_CERTIFICATE_DAYS} (default ${DEFAULT_CERTIFICATE_DAYS})`,
    },
  },
  arguments: { min: 0, max: 0 },
  async run({ options }) {
    const location = requireConfigOption(options.config);
    if (options.within === undefined) {
      throw new UsageError(
        "missing --within DAYS; give how many days ahead to renew, such as --within 7",
      );
    }
    const within = parseWindowDays(options.within, "--within");
    const days = parseRenewalDays(options.days);
    if (days <= within) {
      printWarning(
        `--days ${days} is not more than --within ${within}, so the next renew signs these servers again; ` +
          `give a larger --days`,
      );
    }
    if (isStreamMode(location)) {
      return renewStream(await loadConfig(location), within, days);
    }
    return await withDirectoryLock(
      location,
      "Grid Manager directory",
      async () =>
        renewDirectory(location, await loadConfig(location), within, days),
    );
  },
};

/** Parses `renew --days`, naming the option in the error. */
function parseRenewalDays(value: string | boolean | undefined): number {
  if (typeof value !== "string") return DEFAULT_CERTIFICATE_DAYS;
  return parseCertificateDays(value, "--days");
}

function renewStream(
  config: GridManagerConfig,
  within: number,
  days: number,
): number {
  const now = nowMicros();
  const expiresMicros = now + days * MICROS_PER_DAY;
  const needs = renewalNeeds(collectListing(config, "-"), now, within);
  let lines: string[] = [];
  for (const need of needs) {
    const { document } = signForServer(config, need.server.name, expiresMicros);
    lines.push(
      JSON.stringify({
        name: need.server.name,
        certificate: {
          certificate: document.certificate,
          signature: document.signature,
        },
      }) + "\n",
    );
    // Batches keep the number of writes low without holding every line.
    if (lines.length >= 1000) {
      writeStdout(lines.join(""));
      lines = [];
    }
  }
  writeStdout(lines.join(""));
  printMessage(
    `signed ${countOf(needs.length, "certificate")}${
      needs.length === 0 ? "" : `, expiring ${formatDisplayTime(expiresMicros)}`
    }; with --config - no certificates are kept, so every server is renewed`,
  );
  return ExitCode.ok;
}

function renewDirectory(
  location: string,
  config: GridManagerConfig,
  within: number,
  days: number,
): number {
  const now = nowMicros();
  const expiresMicros = now + days * MICROS_PER_DAY;
  const listing = collectListing(config, location);
  const needs = renewalNeeds(listing, now, within);
  const indexesByName = new Map(
    listing.map((server) => [
      server.name,
      server.certificates.map((certificate) => certificate.index),
    ]),
  );
  let missing = 0;
  for (const need of needs) {
    const name = need.server.name;
    const { text } = signForServer(
      config,
      name,
      expiresMicros,
      programFor(location),
    );
    const { path } = storeCertificateAfterListing(
      location,
      name,
      text,
      indexesByName.get(name) ?? [],
    );
    if (need.reason === "no-valid-certificate") missing++;
    printMessage(`renewed ${JSON.stringify(name)}: stored ${path}`);
  }
  printMessage(
    `renewed ${needs.length} of ${countOf(config.servers.length, "server")} ` +
      `(${missing} without a valid certificate, ${
        needs.length - missing
      } expiring within ${countOf(within, "day")}); ` +
      (needs.length > 0
        ? `the new certificates expire ${formatDisplayTime(expiresMicros)}`
        : "nothing to sign"),
  );
  return ExitCode.ok;
}

/** The Grid Manager commands, in the order help lists them. */
export const gridManagerCommands: readonly Command[] = [
  create,
  publicIdentityCommand,
  add,
  remove,
  list,
  sign,
  renew,
];
