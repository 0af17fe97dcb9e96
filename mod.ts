/**
 * A library for Tahoe-LAFS managed grids: Grid Manager keys and
 * configurations, certificates, and the text formats Tahoe-LAFS 1.20 reads
 * and writes. The `grid-manager` command (`cli.ts`) is built on it.
 *
 * Every function here is pure: it works on strings and bytes, and leaves
 * reading and writing files to the caller.
 *
 * @example Sign a certificate and check it
 * ```ts
 * import {
 *   addServer,
 *   createGridManagerConfig,
 *   parseCertificateDocument,
 *   parseCertificatePayload,
 *   publicIdentity,
 *   signForServer,
 *   decodePublicKey,
 *   verifyCertificateSignature,
 * } from "./mod.ts";
 *
 * const serverKey = "pub-v0-" + "a".repeat(52);
 * let config = createGridManagerConfig();
 * config = addServer(config, "storage0", serverKey).config;
 *
 * const expires = Date.now() * 1000 + 30 * 86_400_000_000;
 * const { text } = signForServer(config, "storage0", expires);
 * const document = parseCertificateDocument(text);
 *
 * const gridManagerKey = decodePublicKey(publicIdentity(config));
 * if (!verifyCertificateSignature(document, gridManagerKey)) throw new Error("bad signature");
 * if (parseCertificatePayload(document).publicKey !== serverKey) throw new Error("wrong key");
 * ```
 *
 * @module
 */

export {
  ExitCode,
  GridManagerError,
  InvalidCertificateError,
  InvalidConfigError,
  InvalidKeyError,
  UsageError,
} from "./lib/errors.ts";
export { decodeBase32, encodeBase32 } from "./lib/base32.ts";
export {
  decodePrivateKey,
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
  type KeyPair,
  keyPairFromSeed,
  normalizeGridManagerKey,
  normalizePublicKey,
  PRIVATE_KEY_PREFIX,
  PUBLIC_KEY_PREFIX,
  publicKeyFromServerId,
  SERVER_ID_PREFIX,
  serverIdFromPublicKey,
  weakGridManagerKeyReason,
} from "./lib/keys.ts";
export {
  type CertificateDocument,
  type CertificatePayload,
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
  signCertificate,
  verifyCertificateSignature,
} from "./lib/certificate.ts";
export {
  addServer,
  type AddServerResult,
  CONFIG_VERSION,
  createGridManagerConfig,
  findServer,
  formatGridManagerConfig,
  type GridManagerConfig,
  MAX_CERTIFICATE_DAYS,
  MIN_CERTIFICATE_DAYS,
  parseGridManagerConfig,
  publicIdentity,
  removeServer,
  signForServer,
  type StorageServer,
} from "./lib/grid_manager.ts";
export {
  describeTimeDifference,
  formatDisplayTime,
  formatIsoTime,
  MICROS_PER_DAY,
  MICROS_PER_SECOND,
  NaiveTimeError,
  parseDayCount,
  type ParsedTime,
  parseIsoTime,
} from "./lib/time.ts";
export {
  type DumpOptions,
  dumpPythonJson,
  type JsonValue,
  quotePythonJsonString,
} from "./lib/python_json.ts";
export {
  checkFileName,
  invalidFileNameReason,
  MAX_NAME_BYTES,
} from "./lib/names.ts";
export {
  DEFAULT_SECTION,
  escapeTahoeCfgValue,
  invalidOptionNameReason,
  normalizeOptionName,
  parseTahoeCfg,
  pythonStrip,
  removeOption,
  removeSection,
  setOption,
  TahoeCfg,
  TahoeCfgError,
  type TahoeCfgLine,
  type TahoeCfgLineKind,
} from "./lib/tahoe_cfg.ts";
export {
  addCertificateEntry,
  addGridManagerEntry,
  type CertificateCheckOptions,
  certificateFileName,
  CERTIFICATES_SECTION,
  checkCertificateForNode,
  type CheckedCertificate,
  checkEntryName,
  type ConfigEntry,
  DEFAULT_ENTRY_NAME,
  EXPIRY_WARNING_MICROS,
  GRID_MANAGERS_SECTION,
  gridManagementEnabled,
  listCertificateEntries,
  listGridManagerEntries,
  type NodeType,
  parseTahoeBoolean,
  removeCertificateEntry,
  type RemovedEntry,
  removeGridManagerEntry,
  storageEnabled,
} from "./lib/node_config.ts";
export {
  checkNode,
  type Finding,
  type FindingSeverity,
  type NodeCheckInput,
  validSections,
} from "./lib/node_check.ts";
export {
  type AnnouncedServer,
  type Announcement,
  type AnnouncementProblem,
  type AnnouncementSet,
  loadTahoeYaml,
  mergeAnnouncements,
  parseIntroducerCache,
  parseStaticServers,
} from "./lib/announcements.ts";
export {
  type ClientSettings,
  type ConfiguredGridManager,
  DEFAULT_SHARES_HAPPY,
  DEFAULT_SHARES_NEEDED,
  DEFAULT_SHARES_TOTAL,
  MAX_SHARES_TOTAL,
  readClientSettings,
  shareCountProblem,
  type TahoeConfigReader,
} from "./lib/client_settings.ts";
export {
  buildStatusReport,
  type CertificateReport,
  type CertificateVerdict,
  checkServer,
  type ConnectionStatuses,
  describeRelativeTime,
  parseWebStatus,
  type ServerReport,
  type ServerVerdict,
  type StatusReport,
} from "./lib/status.ts";
export {
  formatStatusReport,
  statusReportJson,
  summarizeConnectionStatus,
} from "./lib/status_format.ts";
export {
  decodeCertificate,
  type DecodedCertificate,
  verifyCertificate,
  type VerifyOptions,
  type VerifyResult,
} from "./lib/certificate_check.ts";
export {
  findRenewalNeeds,
  type IssuedCertificate,
  type RenewalNeed,
} from "./lib/renewal.ts";
export {
  escapeForTerminal,
  escapeLineForTerminal,
} from "./lib/terminal_text.ts";
export { countOf } from "./lib/plural.ts";
