/**
 * The values of a client's tahoe.cfg that decide where it uploads: the
 * Grid Manager keys of `[grid_managers]` and the share counts of
 * `[client]`, read as a Tahoe-LAFS 1.20 client reads them.
 *
 * @module
 */

import { GridManagerError } from "./errors.ts";
import { decodePublicKey, GRID_MANAGER_KEY_SOURCE } from "./keys.ts";

/** Tahoe-LAFS's default `shares.needed`. */
export const DEFAULT_SHARES_NEEDED = 3;
/** Tahoe-LAFS's default `shares.happy`. */
export const DEFAULT_SHARES_HAPPY = 7;
/** Tahoe-LAFS's default `shares.total`. */
export const DEFAULT_SHARES_TOTAL = 10;

/**
 * The read side of a tahoe.cfg parser: option values with surrounding
 * whitespace removed, option names in lower case, as Python's configparser
 * returns them.
 */
export interface TahoeConfigReader {
  /** The value of `option` in `section`, or undefined when absent. */
  get(section: string, option: string): string | undefined;
  /**
   * The option names of `section` as configparser's `options` returns
   * them: the section's own in file order, then the `[DEFAULT]` ones.
   * Empty when the section is absent.
   */
  options(section: string): readonly string[];
}

/** A Grid Manager key from the client's `[grid_managers]` section. */
export interface ConfiguredGridManager {
  /** The option name, such as `alpha` in `alpha = pub-v0-…`. */
  readonly name: string;
  /** The key as written, `pub-v0-…`. */
  readonly publicKey: string;
  /** The 32 key bytes. */
  readonly keyBytes: Uint8Array;
}

/** The values of a client's tahoe.cfg that the status check reads. */
export interface ClientSettings {
  /** Configured Grid Managers, in file order; empty for none. */
  readonly gridManagers: readonly ConfiguredGridManager[];
  /** `[client] shares.needed`. */
  readonly sharesNeeded: number;
  /** `[client] shares.happy`: servers an upload must place shares on. */
  readonly sharesHappy: number;
  /** `[client] shares.total`. */
  readonly sharesTotal: number;
}

function readShareCount(
  config: TahoeConfigReader,
  option: string,
  fallback: number,
  source: string,
): number {
  const text = config.get("client", option);
  if (text === undefined) return fallback;
  // Python's int() accepts surrounding blanks, a sign and underscores
  // between digits.
  const digits = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(text);
  if (!digits) {
    throw new GridManagerError(
      `${source}: [client] ${option} = ${
        JSON.stringify(text)
      } is not a whole number, so the client does not start; fix it in tahoe.cfg`,
    );
  }
  return Number(digits[1]!.replaceAll("_", ""));
}

/**
 * Reads the Grid Manager keys and share counts of a client, with Tahoe's
 * defaults for absent counts.
 *
 * @param source names the file in error messages.
 * @throws {GridManagerError} for a value that stops the client from
 *   starting: an invalid Grid Manager key or a count that is not a number.
 */
export function readClientSettings(
  config: TahoeConfigReader,
  source = "tahoe.cfg",
): ClientSettings {
  // Tahoe lists the section with options() and get(), so the section's own
  // names come before those of [DEFAULT].
  const gridManagers = config.options("grid_managers").map((name) => {
    const value = config.get("grid_managers", name) ?? "";
    let keyBytes: Uint8Array;
    try {
      keyBytes = decodePublicKey(value, GRID_MANAGER_KEY_SOURCE);
    } catch (error) {
      throw new GridManagerError(
        `${source}: [grid_managers] ${name}: ${
          (error as Error).message
        }; the client does not start with it`,
      );
    }
    return { name, publicKey: value, keyBytes };
  });
  return {
    gridManagers,
    sharesNeeded: readShareCount(
      config,
      "shares.needed",
      DEFAULT_SHARES_NEEDED,
      source,
    ),
    sharesHappy: readShareCount(
      config,
      "shares.happy",
      DEFAULT_SHARES_HAPPY,
      source,
    ),
    sharesTotal: readShareCount(
      config,
      "shares.total",
      DEFAULT_SHARES_TOTAL,
      source,
    ),
  };
}

/** The most shares Tahoe's erasure coder (zfec) makes of one file. */
export const MAX_SHARES_TOTAL = 256;

/**
 * Returns why the client's share counts make every new upload fail, or
 * undefined when they can work. Tahoe starts with any whole numbers here;
 * the failure comes at upload time: the encoder needs 1 <= shares.needed
 * <= shares.total <= 256, and no placement can reach more happy servers
 * than there are shares.
 */
export function shareCountProblem(
  settings: ClientSettings,
): string | undefined {
  const { sharesNeeded: needed, sharesTotal: total, sharesHappy: happy } =
    settings;
  if (needed < 1) return `shares.needed = ${needed} is below 1`;
  if (total > MAX_SHARES_TOTAL) {
    return `shares.total = ${total} is above ${MAX_SHARES_TOTAL}`;
  }
  if (needed > total) {
    return `shares.needed = ${needed} is more than shares.total = ${total}`;
  }
  if (happy > total) {
    return `shares.happy = ${happy} is more than shares.total = ${total}`;
  }
  return undefined;
}
