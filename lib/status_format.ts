/**
 * Output of the status check: the text and the JSON that
 * `grid-manager status` prints for a {@link StatusReport}.
 *
 * @module
 */

import {
  type CertificateReport,
  describeRelativeTime,
  type StatusReport,
} from "./status.ts";
import { escapeLineForTerminal } from "./terminal_text.ts";
import { formatDisplayTime } from "./time.ts";

function describeCertificate(
  report: CertificateReport,
  now: number,
): string {
  const expiry = report.expiresMicros === undefined
    ? ""
    : `; ${report.expiresMicros > now ? "expires" : "expired"} ${
      formatDisplayTime(report.expiresMicros)
    } (${describeRelativeTime(report.expiresMicros, now)})`;
  const signers = report.signedBy.join(", ");
  switch (report.verdict) {
    case "unloadable":
      return `cannot be loaded: ${report.reason}`;
    case "unchecked":
      return `not checked (no Grid Manager configured)${expiry}`;
    case "unsigned":
      return `signature matches no configured Grid Manager${expiry}`;
    case "faulty":
      return `signed by ${signers}, but unreadable: ${report.reason}`;
    case "other-key":
      return `signed by ${signers}, but names another key ${
        report.publicKey ?? ""
      }${expiry}`;
    case "expired":
      return `signed by ${signers}${expiry}`;
    case "valid":
      return `signed by ${signers}${expiry}`;
  }
}

// Twisted errors a failed storage connection names, in plain words.
const CONNECTION_ERRORS: readonly [RegExp, string][] = [
  [/ConnectionRefusedError/, "connection refused"],
  [/TimeoutError|TCPTimedOutError/, "timed out"],
  [/DNSLookupError/, "host name not found"],
  [/NoRouteError|Network is unreachable/, "no route to the server"],
  [/ConnectionLost|ConnectionDone/, "connection lost"],
  [/SSLError|TLS|certificate verify/i, "TLS handshake failed"],
];

/**
 * Sums up a server's `connection_status` from the node's web API in one
 * line. Tahoe's HTTP storage client reports a failed connection as
 * "failure: " and a Twisted Failure with its whole traceback; this keeps
 * the kind of error ("not connected (connection refused)"). Foolscap's
 * summaries ("Connected to ...", "Reconnecting in ...") are one line and
 * stay as they are.
 */
export function summarizeConnectionStatus(status: string): string {
  if (status === "unstarted") return "not connected (not started yet)";
  if (!status.startsWith("failure:")) return status.split("\n")[0]!.trim();
  for (const [pattern, words] of CONNECTION_ERRORS) {
    if (pattern.test(status)) return `not connected (${words})`;
  }
  // Otherwise the last line of the traceback that names an error.
  const lines = status.split("\n").map((line) => line.trim()).filter((line) =>
    line !== "" && line !== "]"
  );
  const last = (lines.at(-1) ?? "").replace(/^failure:\s*/, "");
  const short = last.length > 100 ? last.slice(0, 99) + "…" : last;
  return `not connected (${short || "failed"})`;
}

/** Formats a status report as the text `grid-manager status` prints. */
export function formatStatusReport(report: StatusReport): string {
  const lines: string[] = [];
  const { settings } = report;
  lines.push(
    settings.gridManagers.length === 0
      ? "Grid Managers: none configured"
      : "Grid Managers: " +
        settings.gridManagers.map((gm) => `${gm.name} (${gm.publicKey})`)
          .join(", "),
  );
  lines.push(
    `Shares: needed ${settings.sharesNeeded}, happy ${settings.sharesHappy}, total ${settings.sharesTotal}`,
  );
  for (const problem of report.problems) {
    lines.push(`Problem: ${problem.message}`);
  }
  for (const server of report.servers) {
    lines.push("");
    lines.push(
      `${server.nickname ?? "(no nickname)"} ${server.serverId}${
        server.isStatic ? " (static)" : ""
      }`,
    );
    if (server.connection !== undefined) {
      lines.push(
        `  connection: ${summarizeConnectionStatus(server.connection)}`,
      );
    }
    for (const certificate of server.certificates) {
      lines.push(
        `  certificate ${certificate.index}: ${
          describeCertificate(certificate, report.nowMicros)
        }`,
      );
      for (const note of certificate.notes) lines.push(`    note: ${note}`);
    }
    if (server.sources.length > 1) {
      lines.push(
        `  note: announced ${server.sources.length} times (${
          server.sources.join(", ")
        }); shown is the ${
          server.isStatic ? "static entry" : "one with the highest seqnum"
        }`,
      );
    }
    lines.push(`  verdict: ${server.reason}`);
  }
  lines.push("", report.summary);
  // Nicknames, reasons and connection texts come from other machines.
  return lines.map(escapeLineForTerminal).join("\n") + "\n";
}

/** Turns a status report into the JSON `grid-manager status --json` prints. */
export function statusReportJson(report: StatusReport): unknown {
  const { settings } = report;
  return {
    now: formatDisplayTime(report.nowMicros),
    grid_managers: settings.gridManagers.map((gm) => ({
      name: gm.name,
      public_key: gm.publicKey,
    })),
    shares: {
      needed: settings.sharesNeeded,
      happy: settings.sharesHappy,
      total: settings.sharesTotal,
    },
    problems: report.problems.map((problem) => ({
      source: problem.source,
      message: problem.message,
    })),
    servers: report.servers.map((server) => ({
      server_id: server.serverId,
      nickname: server.nickname ?? null,
      static: server.isStatic,
      sources: server.sources,
      ...(server.connection === undefined
        ? {}
        : { connection: server.connection }),
      verdict: server.verdict,
      reason: server.reason,
      certificates: server.certificates.map((certificate) => ({
        index: certificate.index,
        verdict: certificate.verdict,
        signed_by: certificate.signedBy,
        public_key: certificate.publicKey ?? null,
        expires: certificate.expires ?? null,
        version: certificate.version ?? null,
        ...(certificate.reason === undefined
          ? {}
          : { reason: certificate.reason }),
        notes: certificate.notes,
      })),
    })),
    allowed: report.allowedCount,
    ...(report.connectedAllowedCount === undefined
      ? {}
      : { connected_allowed: report.connectedAllowedCount }),
    uploads_can_succeed: report.uploadsCanSucceed,
    summary: report.summary,
  };
}
