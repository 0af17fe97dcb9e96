/**
 * Error types shared by the library and the command line.
 *
 * Every error the library raises on bad input is a {@link GridManagerError}.
 * Its message is one line that names the value and says how to fix it, and
 * its `exitCode` is the code the command line exits with.
 *
 * @module
 */

/** Exit codes of the `grid-manager` command, as documented in README.md. */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** The operation failed: bad input data, a missing file, a failed check. */
  failure: 1,
  /**
   * The command line is wrong: unknown option, missing argument, or an
   * argument of the wrong form (a number out of range, an unusable NAME).
   */
  usage: 2,
  /** `verify` only: the certificate is valid but expires soon. */
  expiringSoon: 3,
} as const;

/** A failure the user can fix; the message names the value and the fix. */
export class GridManagerError extends Error {
  /** The process exit code for this failure. */
  readonly exitCode: number;

  /** Creates an error with a one-line `message` and the exit code to use. */
  constructor(message: string, exitCode: number = ExitCode.failure) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A command line that does not parse: wrong options or arguments. */
export class UsageError extends GridManagerError {
  /** Creates a usage error, which exits with {@link ExitCode.usage}. */
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A key string that is not a valid `pub-v0-` or `priv-v0-` key. */
export class InvalidKeyError extends GridManagerError {}

/** A certificate document or payload that is malformed. */
export class InvalidCertificateError extends GridManagerError {}

/** A Grid Manager configuration that cannot be loaded. */
export class InvalidConfigError extends GridManagerError {}
