/**
 * The node doctor: what in a Tahoe-LAFS node's configuration would stop the
 * node from starting, or make it behave other than its operator expects in
 * a managed grid, as a list of findings.
 *
 * @module
 */

import { countOf } from "./plural.ts";
import {
  parseCertificateDocument,
  parseCertificatePayload,
} from "./certificate.ts";
import { GridManagerError } from "./errors.ts";
import {
  decodePublicKey,
  GRID_MANAGER_KEY_SOURCE,
  weakGridManagerKeyReason,
} from "./keys.ts";
import {
  CERTIFICATES_SECTION,
  EXPIRY_WARNING_MICROS,
  GRID_MANAGERS_SECTION,
  gridManagementEnabled,
  type NodeType,
  storageEnabled,
} from "./node_config.ts";
import { parseTahoeCfg, type TahoeCfg, TahoeCfgError } from "./tahoe_cfg.ts";
import { formatDisplayTime } from "./time.ts";

/**
 * Severity of a finding: `fatal` stops the node, `problem` makes it behave
 * other than expected, `warning` needs attention soon. `check` exits with 1
 * on a fatal finding or a problem.
 */
export type FindingSeverity = "fatal" | "problem" | "warning";

/** One thing the doctor found, as one line of text. */
export interface Finding {
  /** The finding's severity. */
  readonly severity: FindingSeverity;
  /** The problem and its fix, on one line. */
  readonly message: string;
}

// The sections and options Tahoe-LAFS 1.20 accepts in tahoe.cfg, from its
// node and client configuration validators. Sections in DYNAMIC_SECTIONS or
// starting with a DYNAMIC_PREFIXES entry accept any option.
const NODE_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  connections: ["tcp"],
  node: [
    "log_gatherer.furl",
    "nickname",
    "reveal-ip-address",
    "tempdir",
    "timeout.disconnect",
    "timeout.keepalive",
    "tub.location",
    "tub.port",
    "web.port",
    "web.static",
  ],
  i2p: [
    "enabled",
    "i2p.configdir",
    "i2p.executable",
    "launch",
    "sam.port",
    "dest",
    "dest.port",
    "dest.private_key_file",
  ],
  tor: [
    "control.port",
    "enabled",
    "launch",
    "socks.port",
    "tor.executable",
    "onion",
    "onion.local_port",
    "onion.external_port",
    "onion.private_key_file",
  ],
};

const CLIENT_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  ...NODE_SECTIONS,
  client: [
    "helper.furl",
    "introducer.furl",
    "key_generator.furl",
    "mutable.format",
    "peers.preferred",
    "shares.happy",
    "shares.needed",
    "shares.total",
    "shares._max_immutable_segment_size_for_testing",
    "storage.plugins",
    "force_foolscap",
  ],
  storage: [
    "debug_discard",
    "enabled",
    "anonymous",
    "expire.cutoff_date",
    "expire.enabled",
    "expire.immutable",
    "expire.mode",
    "expire.mutable",
    "expire.override_lease_duration",
    "readonly",
    "reserved_space",
    "storage_dir",
    "plugins",
    "grid_management",
    "force_foolscap",
  ],
  sftpd: [
    "accounts.file",
    "enabled",
    "host_privkey_file",
    "host_pubkey_file",
    "port",
  ],
  helper: ["enabled"],
};

const DYNAMIC_SECTIONS = [GRID_MANAGERS_SECTION, CERTIFICATES_SECTION];
const DYNAMIC_PREFIXES = ["storageserver.plugins.", "storageclient.plugins."];

// Section names that some documentation uses by mistake, and the right ones.
const MISSPELLED_SECTIONS: Readonly<Record<string, string>> = {
  grid_management_certificates: CERTIFICATES_SECTION,
  grid_management_keys: GRID_MANAGERS_SECTION,
};

/**
 * Returns the fixed sections a node of this type accepts, each with its
 * options. A client also accepts `[grid_managers]`,
 * `[grid_manager_certificates]` and plugin sections with any option.
 */
export function validSections(
  nodeType: NodeType,
): Readonly<Record<string, readonly string[]>> {
  return nodeType === "client" ? CLIENT_SECTIONS : NODE_SECTIONS;
}

function isDynamicSection(nodeType: NodeType, section: string): boolean {
  return nodeType === "client" &&
    (DYNAMIC_SECTIONS.includes(section) ||
      DYNAMIC_PREFIXES.some((prefix) => section.startsWith(prefix)));
}

/** Inputs of {@link checkNode}. */
export interface NodeCheckInput {
  /** The tahoe.cfg text, or undefined when the file is missing. */
  readonly cfgText: string | undefined;
  /** The node type, from its `.tac` file. */
  readonly nodeType: NodeType;
  /** The node's key from `node.pubkey`, when that file exists. */
  readonly nodePublicKey?: string;
  /**
   * Returns a certificate file's text by its path as tahoe.cfg writes it,
   * or undefined when the file is missing.
   *
   * @throws {GridManagerError} when the file cannot be read.
   */
  readonly readCertificate: (path: string) => string | undefined;
  /** The current time in microseconds since the epoch. */
  readonly now: number;
}

/** Returns the findings for one node; an empty list means all is well. */
export function checkNode(input: NodeCheckInput): Finding[] {
  if (input.cfgText === undefined) {
    return [{
      severity: "problem",
      message:
        "tahoe.cfg not found; check the node directory (-d) or create the node with Tahoe",
    }];
  }
  let cfg: TahoeCfg;
  try {
    cfg = parseTahoeCfg(input.cfgText);
  } catch (error) {
    if (!(error instanceof TahoeCfgError)) throw error;
    return [{ severity: "fatal", message: error.message }];
  }
  return [
    ...checkSections(cfg, input.nodeType),
    ...checkValues(cfg),
    ...checkCertificates(cfg, input),
    ...checkGridManagers(cfg),
  ].map(oneLine);
}

// A value with a continuation line holds a newline, and each finding must
// stay on one line of output.
function oneLine(finding: Finding): Finding {
  return {
    ...finding,
    message: finding.message.replaceAll("\r", "\\r").replaceAll("\n", "\\n"),
  };
}

function checkSections(cfg: TahoeCfg, nodeType: NodeType): Finding[] {
  const findings: Finding[] = [];
  const valid = validSections(nodeType);
  for (const section of cfg.sections()) {
    if (isDynamicSection(nodeType, section)) continue;
    const options = Object.hasOwn(valid, section) ? valid[section] : undefined;
    if (options === undefined) {
      const right = MISSPELLED_SECTIONS[section];
      const fix = right !== undefined
        ? `rename it to [${right}]`
        : nodeType === "introducer" &&
            (DYNAMIC_SECTIONS.includes(section) || section in CLIENT_SECTIONS)
        ? "an introducer does not take it, so remove it"
        : "fix its name or remove it";
      findings.push({
        severity: "fatal",
        message:
          `tahoe.cfg: Tahoe rejects the unknown section [${section}] and will not start; ${fix}`,
      });
      continue;
    }
    for (const option of cfg.options(section)) {
      if (options.includes(option)) continue;
      findings.push({
        severity: "fatal",
        message:
          `tahoe.cfg: Tahoe rejects the unknown option ${option} in [${section}] and will not start; ` +
          `fix its name or remove it`,
      });
    }
  }
  return findings;
}

function checkValues(cfg: TahoeCfg): Finding[] {
  const findings: Finding[] = [];
  for (const section of cfg.sections()) {
    try {
      cfg.items(section);
    } catch (error) {
      if (!(error instanceof TahoeCfgError)) throw error;
      findings.push({ severity: "fatal", message: error.message });
    }
  }
  const management = cfg.get("storage", "grid_management");
  if (management !== undefined && gridManagementEnabled(cfg) === undefined) {
    findings.push({
      severity: "fatal",
      message: `tahoe.cfg: [storage] grid_management = ${
        JSON.stringify(management)
      } is not a boolean; write true or false`,
    });
  }
  return findings;
}

/** Returns the entries of a section whose values configparser can read. */
function readEntries(cfg: TahoeCfg, section: string): [string, string][] {
  const entries: [string, string][] = [];
  for (const name of cfg.options(section)) {
    try {
      entries.push([name, cfg.get(section, name)!]);
    } catch {
      // checkValues reports the broken value.
    }
  }
  return entries;
}

function checkCertificates(cfg: TahoeCfg, input: NodeCheckInput): Finding[] {
  const findings: Finding[] = [];
  const enabled = gridManagementEnabled(cfg) === true;
  const certificates = readEntries(cfg, CERTIFICATES_SECTION);
  // An entry whose value cannot be read still counts as listed.
  const listed = cfg.options(CERTIFICATES_SECTION).length;
  if (enabled && listed === 0) {
    findings.push({
      severity: "problem",
      message:
        "tahoe.cfg: [storage] grid_management is on but [grid_manager_certificates] lists no certificate, " +
        `so managed clients will not upload here; add one with "grid-manager add-grid-manager-cert"`,
    });
  }
  if (!enabled && listed > 0) {
    findings.push({
      severity: "problem",
      message:
        `tahoe.cfg: [grid_manager_certificates] lists ${
          countOf(listed, "certificate")
        } ` +
        `but [storage] grid_management is off, so the node does not announce them; set it to true`,
    });
  }
  if (enabled && storageEnabled(cfg) === false) {
    findings.push({
      severity: "problem",
      message:
        "tahoe.cfg: [storage] enabled is false, so the node runs no storage server and " +
        "announces no certificate; set it to true, or remove the certificates",
    });
  }
  // A file Tahoe cannot load stops a node that announces it, and is dead
  // weight otherwise.
  const unreadable = enabled ? "fatal" : "problem";
  for (const [name, path] of certificates) {
    const source = `certificate ${name} (${path})`;
    let text: string | undefined;
    try {
      text = input.readCertificate(path);
    } catch (error) {
      if (!(error instanceof GridManagerError)) throw error;
      findings.push({ severity: unreadable, message: error.message });
      continue;
    }
    if (text === undefined) {
      findings.push({
        severity: unreadable,
        message:
          `${source}: file not found; install it again with "grid-manager add-grid-manager-cert --name ${name}" ` +
          `or remove the entry with "grid-manager remove-grid-manager-cert ${name}"`,
      });
      continue;
    }
    try {
      const document = parseCertificateDocument(text, source);
      const payload = parseCertificatePayload(document, source);
      findings.push(...checkPayload(source, payload, input));
    } catch (error) {
      if (!(error instanceof GridManagerError)) throw error;
      findings.push(
        tahoeLoadsCertificate(text)
          ? { severity: "problem", message: ignoredByClients(error.message) }
          : { severity: unreadable, message: error.message },
      );
    }
  }
  return findings;
}

/**
 * Returns whether Tahoe-LAFS 1.20's storage node loads a certificate file:
 * it checks only that the file is a JSON object with exactly the keys
 * `certificate` and `signature`, and leaves the rest to the clients.
 */
function tahoeLoadsCertificate(text: string): boolean {
  let value: unknown;
  try {
    if (text.startsWith("\ufeff")) return false;
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value).sort();
  return keys.length === 2 && keys[0] === "certificate" &&
    keys[1] === "signature";
}

function ignoredByClients(message: string): string {
  return message.includes("ask the Grid Manager")
    ? message
    : `${message}; clients ignore it, so ask the Grid Manager for a new one`;
}

function checkPayload(
  source: string,
  payload: ReturnType<typeof parseCertificatePayload>,
  input: NodeCheckInput,
): Finding[] {
  const findings: Finding[] = [];
  const expires = formatDisplayTime(payload.expiresMicros);
  if (
    input.nodePublicKey !== undefined &&
    payload.publicKey !== input.nodePublicKey
  ) {
    findings.push({
      severity: "problem",
      message:
        `${source} is for ${payload.publicKey}, not for this node (${input.nodePublicKey}); ` +
        `clients ignore it, so ask the Grid Manager for a certificate for this node's key`,
    });
  }
  if (payload.expiresMicros <= input.now) {
    findings.push({
      severity: "problem",
      message:
        `${source} expired at ${expires}; clients ignore it, so ask the Grid Manager for a new one ` +
        `and install it with --replace`,
    });
  } else if (payload.expiresMicros - input.now < EXPIRY_WARNING_MICROS) {
    findings.push({
      severity: "warning",
      message:
        `${source} expires at ${expires}, in less than 7 days; ask the Grid Manager for a new one ` +
        `and install it with --replace`,
    });
  }
  if (payload.expiresNeedsPython311) {
    findings.push({
      severity: "warning",
      message: `${source} writes its expiry as ${
        JSON.stringify(payload.expires)
      }, which Tahoe on Python 3.9 and 3.10 cannot read`,
    });
  }
  return findings;
}

function checkGridManagers(cfg: TahoeCfg): Finding[] {
  if (!cfg.hasSection(GRID_MANAGERS_SECTION)) return [];
  const findings: Finding[] = [];
  const managers = readEntries(cfg, GRID_MANAGERS_SECTION);
  if (cfg.options(GRID_MANAGERS_SECTION).length === 0) {
    findings.push({
      severity: "problem",
      message:
        "tahoe.cfg: [grid_managers] is empty, so this client uploads to every server; " +
        `add a key with "grid-manager add-grid-manager" or remove the section`,
    });
  }
  for (const [name, value] of managers) {
    try {
      decodePublicKey(value, GRID_MANAGER_KEY_SOURCE);
      const weak = weakGridManagerKeyReason(value);
      if (weak) {
        findings.push({
          severity: "problem",
          message: `tahoe.cfg: [grid_managers] ${name}: ${weak}, ` +
            `so this client accepts forged certificates; remove it`,
        });
      }
    } catch (error) {
      if (!(error instanceof GridManagerError)) throw error;
      findings.push({
        severity: "fatal",
        message: `tahoe.cfg: [grid_managers] ${name}: ${error.message}`,
      });
    }
  }
  return findings;
}
