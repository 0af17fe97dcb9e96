/**
 * Renewal needs: the registered storage servers that need a new
 * certificate. Those are the servers with no valid certificate for their
 * current key, and those whose latest-ending valid certificate ends within
 * a given number of days.
 *
 * @module
 */

import type { StorageServer } from "./grid_manager.ts";
import { MICROS_PER_DAY } from "./time.ts";

/** The facts read from one issued certificate. */
export interface IssuedCertificate {
  /** The key the certificate names, when readable. */
  readonly publicKey?: string;
  /** Expiry in microseconds since the epoch, when readable. */
  readonly expiresMicros?: number;
  /** Whether the signature verifies under this Grid Manager's key. */
  readonly signatureValid?: boolean;
}

/** A server that needs renewal, and why. */
export interface RenewalNeed {
  /** The registered server. */
  readonly server: StorageServer;
  /**
   * `no-valid-certificate` when none is readable, for the server's current
   * key and unexpired; `expiring` when the latest-ending one ends within
   * the window.
   */
  readonly reason: "no-valid-certificate" | "expiring";
  /** Expiry of the latest-ending valid certificate, for `expiring`. */
  readonly expiresMicros?: number;
}

/**
 * Returns the servers that need a new certificate at `now`, in the order
 * given. A certificate counts only when its signature verifies under this
 * Grid Manager's key and it names the server's current key, so neither a
 * certificate from another Grid Manager nor one issued before the key
 * changed hides the need.
 *
 * @param certificatesByName the certificates issued so far, by server name.
 * @param withinDays the window in days; 0 selects only servers without a
 *   valid certificate.
 */
export function findRenewalNeeds(
  servers: readonly StorageServer[],
  certificatesByName: ReadonlyMap<string, readonly IssuedCertificate[]>,
  now: number,
  withinDays: number,
): RenewalNeed[] {
  const limit = now + withinDays * MICROS_PER_DAY;
  const needs: RenewalNeed[] = [];
  for (const server of servers) {
    let latest: number | undefined;
    for (const certificate of certificatesByName.get(server.name) ?? []) {
      const expires = certificate.expiresMicros;
      if (
        expires === undefined || expires <= now ||
        certificate.signatureValid !== true ||
        certificate.publicKey !== server.publicKey
      ) continue;
      if (latest === undefined || expires > latest) latest = expires;
    }
    if (latest === undefined) {
      needs.push({ server, reason: "no-valid-certificate" });
    } else if (latest <= limit) {
      needs.push({ server, reason: "expiring", expiresMicros: latest });
    }
  }
  return needs;
}
