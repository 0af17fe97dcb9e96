/**
 * Times as Tahoe-LAFS writes and reads them. Certificates carry an expiry in
 * the form Python's `datetime.isoformat()` gives for an aware UTC time, and
 * Tahoe parses it back with `datetime.fromisoformat`.
 *
 * Times are held as microseconds since the Unix epoch (a plain number, exact
 * up to year 2255), so Python's microsecond fractions survive a round trip.
 *
 * @module
 */

/** Microseconds in one second. */
export const MICROS_PER_SECOND = 1_000_000;
/** Microseconds in one day. */
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

/** Returns the current time in microseconds since the epoch. */
export function nowMicros(): number {
  return Date.now() * 1000;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * Formats a UTC time as Python's `datetime.isoformat(sep)` does for an aware
 * UTC datetime: `2026-12-04T16:05:09.123456+00:00`, without the fraction
 * when the microseconds are zero.
 */
export function formatIsoTime(micros: number, separator = "T"): string {
  const millis = Math.floor(micros / 1000);
  const date = new Date(millis);
  if (
    Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 ||
    date.getUTCFullYear() < 1
  ) {
    throw new RangeError(`time ${micros} µs is outside the years 1 to 9999`);
  }
  const fraction = micros -
    Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  const day = `${pad(date.getUTCFullYear(), 4)}-${
    pad(date.getUTCMonth() + 1, 2)
  }-${pad(date.getUTCDate(), 2)}`;
  const clock = `${pad(date.getUTCHours(), 2)}:${
    pad(date.getUTCMinutes(), 2)
  }:${pad(date.getUTCSeconds(), 2)}`;
  const fractionText = fraction === 0 ? "" : "." + pad(fraction, 6);
  return `${day}${separator}${clock}${fractionText}+00:00`;
}

/** A time parsed from text, with what Tahoe's parser would make of it. */
export interface ParsedTime {
  /** Microseconds since the epoch, UTC. */
  readonly micros: number;
  /**
   * Whether the text uses a form only Python 3.11 and later parse (`Z`, a
   * basic format without separators), which Tahoe on Python 3.9 and 3.10
   * rejects.
   */
  readonly needsPython311: boolean;
}

// The forms Python 3.9's datetime.fromisoformat accepts, with an offset.
const PORTABLE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[^\n](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{3}|\d{6}))?)?)?([+-])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?$/;
// The same with "Z" for UTC, which Python 3.11 added.
const ZULU_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?Z$/;

/**
 * Parses an expiry time the way Tahoe-LAFS does, and rejects a time without
 * a UTC offset, because Tahoe fails to compare a naive time with the
 * current aware time.
 *
 * @throws {SyntaxError} naming the text and the form expected.
 */
export function parseIsoTime(text: string): ParsedTime {
  const expected =
    `expected an ISO 8601 time with a UTC offset, like "2027-01-31T12:00:00+00:00"`;
  const portable = PORTABLE_TIME.exec(text);
  const zulu = portable ? null : ZULU_TIME.exec(text);
  const match = portable ?? zulu;
  if (!match) {
    const naive = /^\d{4}-\d{2}-\d{2}[T ][\d:.]+$/.test(text);
    throw new SyntaxError(
      naive
        ? `time ${JSON.stringify(text)} has no UTC offset; ${expected}`
        : `invalid time ${JSON.stringify(text)}; ${expected}`,
    );
  }

  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((
    part,
  ) => part === undefined ? 0 : Number(part)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fractionText = match[7] ?? "";
  const fraction = fractionText === ""
    ? 0
    : Number(fractionText.padEnd(6, "0"));

  let offsetMicros = 0;
  if (portable) {
    const sign = match[8] === "-" ? -1 : 1;
    const offsetSeconds = Number(match[9]) * 3600 + Number(match[10]) * 60 +
      Number(match[11] ?? 0);
    offsetMicros = sign *
      (offsetSeconds * MICROS_PER_SECOND + Number(match[12] ?? 0));
    if (Math.abs(offsetMicros) >= MICROS_PER_DAY) {
      throw new SyntaxError(
        `invalid UTC offset in time ${JSON.stringify(text)}; ${expected}`,
      );
    }
  }

  // Date.UTC reads years 0 to 99 as 1900 to 1999, so set the year apart.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, 0);
  const millis = check.getTime();
  if (
    year < 1 || check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 || minute > 59 || second > 59
  ) {
    throw new SyntaxError(
      `time ${JSON.stringify(text)} is not a real date and time`,
    );
  }
  return {
    micros: millis * 1000 + fraction - offsetMicros,
    needsPython311: zulu !== null,
  };
}

const HOUR = 3600;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/**
 * Describes a time difference in words, as Tahoe's `abbreviate_time` does for
 * a timedelta: a positive `elapsedSeconds` is in the past ("3 days ago"), a
 * negative one in the future ("12 days in the future").
 */
export function describeTimeDifference(elapsedSeconds: number): string {
  const suffix = elapsedSeconds >= 0 ? " ago" : " in the future";
  const seconds = Math.abs(elapsedSeconds);
  const plural = (count: number, unit: string) => {
    const whole = Math.trunc(count);
    return `${whole} ${unit}${whole === 1 ? "" : "s"}${suffix}`;
  };
  if (seconds < 120) return plural(seconds, "second");
  if (seconds < 3 * HOUR) return plural(seconds / 60, "minute");
  if (seconds < 2 * DAY) return plural(seconds / HOUR, "hour");
  if (seconds < 2 * MONTH) return plural(seconds / DAY, "day");
  if (seconds < 4 * YEAR) return plural(seconds / MONTH, "month");
  return plural(seconds / YEAR, "year");
}
