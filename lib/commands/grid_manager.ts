/**
 * The Grid Manager commands, with Tahoe-LAFS's names and argument order:
 * `create`, `public-identity`, `add`, `remove`, `list` and `sign`.
 *
 * @module
 */

import { type Command, CONFIG_OPTION, JSON_OPTION } from "../command.ts";
import { ExitCode, UsageError } from "../errors.ts";
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
import { printMessage, printWarning, writeStdout } from "../io.ts";
import { normalizePublicKey } from "../keys.ts";
import { checkFileName } from "../names.ts";
import { comparePythonStrings } from "../python_json.ts";
import {
  describeTimeDifference,
  formatIsoTime,
  MICROS_PER_DAY,
  nowMicros,
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
  type StoredCertificate,
  updateConfig,
} from "./grid_manager_store.ts";

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
    const name = checkFileName(args[0]!, "server name");
    const publicKey = normalizePublicKey(args[1]!);
    let sameKeyNames: readonly string[] = [];
    await updateConfig(location, (config) => {
      const result = addServer(config, name, publicKey);
      sameKeyNames = result.sameKeyNames;
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
          `"grid-manager remove" the name you do not want`,
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
    const name = args[0]!;
    let removedFiles = 0;
    await updateConfig(
      location,
      (config) => removeServer(config, name),
      (directory) => {
        removedFiles = removeCertificateFiles(directory, name);
      },
    );
    if (!isStreamMode(location)) {
      printMessage(
        `removed storage server ${
          JSON.stringify(name)
        } and ${removedFiles} certificate file(s)`,
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
    certificates: (files.get(server.name) ?? []).map(readStoredCertificate),
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
    lines.push(`${server.name}: ${server.publicKey}`);
    // Tahoe pads by the name's length in code points, as Python counts.
    const indent = " ".repeat([...server.name].length);
    for (const certificate of server.certificates) {
      const prefix = `${indent}  cert ${certificate.index}: `;
      if (certificate.expiresMicros === undefined) {
        lines.push(`${prefix}unreadable: ${certificate.error}`);
        continue;
      }
      const expires = formatIsoTime(certificate.expiresMicros, " ");
      const elapsed = (now - certificate.expiresMicros) / 1_000_000;
      const difference = describeTimeDifference(elapsed);
      lines.push(
        elapsed < 0
          ? `${prefix}valid until ${expires} (${difference})`
          : `${prefix}expired ${expires} (${difference})`,
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
            expires: formatIsoTime(certificate.expiresMicros),
            expired: certificate.expiresMicros <= now,
            for_this_server: certificate.publicKey === server.publicKey,
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
    "With --config -, no certificates are stored, so only servers are listed.",
  options: { config: CONFIG_OPTION, json: JSON_OPTION },
  arguments: { min: 0, max: 0 },
  async run({ options }) {
    const location = requireConfigOption(options.config);
    const config = await loadConfig(location);
    const listing = collectListing(config, location);
    const now = nowMicros();
    writeStdout(
      options.json
        ? JSON.stringify(listingJson(listing, now), null, 2) + "\n"
        : formatListing(listing, now),
    );
    return ExitCode.ok;
  },
};

/** Parses the DAYS argument of `sign`: a whole number from 1 to 1825. */
export function parseCertificateDays(text: string): number {
  const days = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(days >= MIN_CERTIFICATE_DAYS && days <= MAX_CERTIFICATE_DAYS)) {
    throw new UsageError(
      `invalid DAYS ${
        JSON.stringify(text)
      }: give a whole number of days from ` +
        `${MIN_CERTIFICATE_DAYS} to ${MAX_CERTIFICATE_DAYS}`,
    );
  }
  return days;
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
    const name = args[0]!;
    const days = args[1] === undefined
      ? DEFAULT_CERTIFICATE_DAYS
      : parseCertificateDays(args[1]);
    const config = await loadConfig(location);
    const expiresMicros = nowMicros() + days * MICROS_PER_DAY;
    const { text } = signForServer(config, name, expiresMicros);
    if (!isStreamMode(location)) {
      checkFileName(name, "server name");
      const path = storeCertificate(location, name, text);
      printMessage(`stored the certificate as ${path}`);
    }
    writeStdout(text + "\n");
    if (args[1] === undefined) {
      printMessage(
        `the certificate expires ${formatIsoTime(expiresMicros, " ")} ` +
          `(${DEFAULT_CERTIFICATE_DAYS} days, the default; give DAYS to change it)`,
      );
    }
    return ExitCode.ok;
  },
};

/** The Grid Manager commands, in the order help lists them. */
export const gridManagerCommands: readonly Command[] = [
  create,
  publicIdentityCommand,
  add,
  remove,
  list,
  sign,
];
