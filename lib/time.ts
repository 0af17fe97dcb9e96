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

import { UsageError } from "./errors.ts";

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

function splitUtc(micros: number) {
  const millis = Math.floor(micros / 1000);
  const date = new Date(millis);
  const fraction = micros -
    Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return { date, fraction };
}

function formatClock(date: Date, fraction: number, separator: string) {
  const day = `${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
  const clock = `${pad(date.getUTCHours(), 2)}:${
    pad(date.getUTCMinutes(), 2)
  }:${pad(date.getUTCSeconds(), 2)}`;
  const fractionText = fraction === 0 ? "" : "." + pad(fraction, 6);
  return `${day}${separator}${clock}${fractionText}+00:00`;
}

/**
 * Formats a UTC time as Python's `datetime.isoformat(sep)` does for an aware
 * UTC datetime: `2026-12-04T16:05:09.123456+00:00`, without the fraction
 * when the microseconds are zero.
 *
 * @throws {RangeError} when the UTC time falls outside the years 1 to 9999,
 * which Python cannot write.
 */
export function formatIsoTime(micros: number, separator = "T"): string {
  const { date, fraction } = splitUtc(micros);
  if (
    Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 ||
    date.getUTCFullYear() < 1
  ) {
    throw new RangeError(`time ${micros} µs is outside the years 1 to 9999`);
  }
  return `${pad(date.getUTCFullYear(), 4)}-${
    formatClock(date, fraction, separator)
  }`;
}

/**
 * Formats a UTC time for people like {@link formatIsoTime}, and never
 * throws: a time that a non-UTC offset pushed past the years 1 to 9999 (such
 * as `9999-12-31T23:59:59-01:00`) gets an ISO 8601 expanded year like
 * `+10000` or `0000`. Times that are not finite numbers read `invalid time`.
 */
export function formatDisplayTime(micros: number, separator = "T"): string {
  const { date, fraction } = splitUtc(micros);
  if (Number.isNaN(date.getTime())) return "invalid time";
  const year = date.getUTCFullYear();
  const yearText = year < 0
    ? "-" + pad(-year, 4)
    : year > 9999
    ? "+" + String(year)
    : pad(year, 4);
  return `${yearText}-${formatClock(date, fraction, separator)}`;
}

/** A time parsed from text, with what Tahoe's parser would make of it. */
export interface ParsedTime {
  /** Microseconds since the epoch, UTC. */
  readonly micros: number;
  /**
   * Whether the text uses a form only Python 3.11 and later parse (`Z`,
   * basic formats without separators, week dates, other fraction lengths,
   * short offsets), which Tahoe on Python 3.9 and 3.10 rejects.
   */
  readonly needsPython311: boolean;
}

// The forms Python 3.9's datetime.fromisoformat accepts, with an offset:
// YYYY-MM-DD, one separator, HH[:MM[:SS[.fff|.ffffff]]], then an offset
// +HH:MM[:SS[.ffffff]]. Anything else needs Python 3.11.
const PORTABLE_TIME =
  /^\d{4}-\d{2}-\d{2}[^\n]\d{2}(?::\d{2}(?::\d{2}(?:\.(?:\d{3}|\d{6}))?)?)?[+-]\d{2}:\d{2}(?::\d{2}(?:\.\d{6})?)?$/u;

const EXPECTED_TIME =
  `expected an ISO 8601 time with a UTC offset, like "2027-01-31T12:00:00+00:00"`;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

/** Reads `count` ASCII digits at `at`, or undefined when one is missing. */
function digitsAt(chars: string[], at: number, count: number) {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const char = chars[at + i];
    if (!isDigit(char)) return undefined;
    value = value * 10 + Number(char);
  }
  return value;
}

/**
 * Where the date ends in `chars`, following Python 3.11's reading of the
 * calendar (YYYY-MM-DD, YYYYMMDD) and ISO week (YYYY-Www[-D], YYYYWww[D])
 * forms.
 */
function dateLength(chars: string[]): number {
  const length = chars.length;
  if (length === 7) return 7;
  if (chars[4] === "-") {
    if (chars[5] !== "W") return 10;
    if (length > 8 && chars[8] === "-") {
      return length > 10 && isDigit(chars[10]) ? 8 : 10;
    }
    return 8;
  }
  if (chars[4] !== "W") return 8;
  let end = 7;
  while (end < length && isDigit(chars[end])) end++;
  if (end < 9) return end;
  return end % 2 === 0 ? 7 : 8;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date. */
function epochDay(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / 86_400_000);
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** Reads the date in `chars[0, end)`; returns its epoch day or undefined. */
function readDate(chars: string[], end: number): number | undefined {
  const year = digitsAt(chars, 0, 4);
  if (year === undefined) return undefined;
  let at = 4;
  const hyphens = chars[at] === "-";
  if (hyphens) at++;
  if (chars[at] === "W") {
    at++;
    const week = digitsAt(chars, at, 2);
    if (week === undefined) return undefined;
    at += 2;
    let weekday = 1;
    if (at < end) {
      if (hyphens && chars[at++] !== "-") return undefined;
      const read = digitsAt(chars, at, 1);
      if (read === undefined) return undefined;
      weekday = read;
    }
    // ISO week 1 contains January 4th. A year has 53 weeks when it starts
    // on a Thursday, or on a Wednesday in a leap year.
    const jan4 = epochDay(year, 1, 4);
    const jan4Weekday = ((jan4 % 7) + 7 + 3) % 7 + 1; // 1970-01-01 was a Thursday
    const leap = daysInMonth(year, 2) === 29;
    const jan1Weekday = (jan4Weekday + 7 - 3 - 1) % 7 + 1;
    const weeks = jan1Weekday === 4 || (leap && jan1Weekday === 3) ? 53 : 52;
    if (week < 1 || week > weeks || weekday < 1 || weekday > 7) {
      return undefined;
    }
    const result = jan4 - (jan4Weekday - 1) + (week - 1) * 7 + weekday - 1;
    const lastDay = epochDay(9999, 12, 31);
    const firstDay = epochDay(1, 1, 1);
    return result < firstDay || result > lastDay ? undefined : result;
  }
  const month = digitsAt(chars, at, 2);
  if (month === undefined) return undefined;
  at += 2;
  if (hyphens && chars[at++] !== "-") return undefined;
  const day = digitsAt(chars, at, 2);
  if (day === undefined) return undefined;
  if (
    year < 1 || month < 1 || month > 12 || day < 1 ||
    day > daysInMonth(year, month)
  ) {
    return undefined;
  }
  return epochDay(year, month, day);
}

interface Clock {
  readonly fields: [number, number, number];
  readonly fraction: number;
  /** Whether text was left over that Python leaves to its caller to judge. */
  readonly leftover: boolean;
}

/**
 * Reads `HH[[:]MM[[:]SS]][.,fraction]` from `chars[start, end)` with the
 * same leniency as Python 3.11's C parser; undefined when it fails.
 */
function readClock(
  chars: string[],
  start: number,
  end: number,
): Clock | undefined {
  const fields: [number, number, number] = [0, 0, 0];
  let at = start;
  let colons = true;
  for (let i = 0; i < 3; i++) {
    const value = digitsAt(chars, at, 2);
    if (value === undefined) return undefined;
    fields[i] = value;
    at += 2;
    const char = chars[at] ?? "";
    at++;
    if (i === 0) colons = char === ":";
    if (at >= end) return { fields, fraction: 0, leftover: char !== "" };
    if (colons && char === ":") continue;
    if (char === "." || char === ",") break;
    if (colons) return undefined;
    at--;
  }
  const count = Math.min(end - at, 6);
  const read = digitsAt(chars, at, count);
  if (read === undefined || count < 1) return undefined;
  at += count;
  while (isDigit(chars[at])) at++;
  return {
    fields,
    fraction: read * 10 ** (6 - count),
    leftover: (chars[at] ?? "") !== "",
  };
}

/**
 * The error for a time Python reads without a UTC offset (a naive time):
 * Tahoe parses it, then fails when it compares it with the current time.
 */
export class NaiveTimeError extends SyntaxError {
  /** The error class name, "NaiveTimeError". */
  override name = "NaiveTimeError";
}

/**
 * Parses an expiry time the way Tahoe-LAFS does with Python 3.11's
 * `datetime.fromisoformat`, and rejects a time without a UTC offset,
 * because Tahoe fails to compare a naive time with the current aware time.
 * Forms Python 3.9 and 3.10 cannot read are accepted and marked with
 * `needsPython311`.
 *
 * @throws {NaiveTimeError} when Python reads the time without an offset.
 * @throws {SyntaxError} naming the text and the form expected.
 */
export function parseIsoTime(text: string): ParsedTime {
  const invalid = () =>
    new SyntaxError(`invalid time ${JSON.stringify(text)}; ${EXPECTED_TIME}`);
  const naive = () =>
    new NaiveTimeError(
      `time ${JSON.stringify(text)} has no UTC offset; ${EXPECTED_TIME}`,
    );
  const unreal = () =>
    new SyntaxError(
      `time ${JSON.stringify(text)} is not a real date and time`,
    );
  // Python's C parser walks the UTF-8 bytes, so a character outside ASCII
  // counts as several places; none of them is a digit or a mark it reads.
  const chars = [...new TextEncoder().encode(text)].map((byte) =>
    String.fromCharCode(byte)
  );
  const end = dateLength(chars);
  if (chars.length < end) throw invalid();
  // A NUL ends the text for Python's C parser, so no valid time contains one.
  if (text.includes("\0")) throw invalid();
  if (chars.length <= end) {
    if (readDate(chars, end) !== undefined) throw naive();
    throw invalid();
  }
  // The separator is any one character, however many bytes it takes.
  const lead = chars[end]!.charCodeAt(0);
  const start = end +
    (lead < 0x80
      ? 1
      : (lead & 0xf0) === 0xe0
      ? 3
      : (lead & 0xf0) === 0xf0
      ? 4
      : 2);
  let zone = start;
  while (zone < chars.length && !"Z+-".includes(chars[zone]!)) zone++;
  const clock = readClock(chars, start, zone);
  if (clock === undefined) throw invalid();
  if (zone === chars.length) {
    if (clock.leftover) throw invalid();
    const [hour, minute, second] = clock.fields;
    if (readDate(chars, end) === undefined) throw invalid();
    if (hour > 23 || minute > 59 || second > 59) throw unreal();
    throw naive();
  }
  let offsetMicros = 0;
  if (chars[zone] === "Z") {
    if (zone + 1 !== chars.length) throw invalid();
  } else {
    const offset = readClock(chars, zone + 1, chars.length);
    if (offset === undefined || offset.leftover) throw invalid();
    const [h, m, s] = offset.fields;
    const sign = chars[zone] === "-" ? -1 : 1;
    // Python takes an offset of zero whole seconds as UTC and drops its
    // fraction.
    const seconds = h * 3600 + m * 60 + s;
    offsetMicros = seconds === 0
      ? 0
      : sign * (seconds * MICROS_PER_SECOND + offset.fraction);
  }
  const day = readDate(chars, end);
  if (day === undefined) {
    // Python reports a malformed date as invalid, an impossible one apart.
    if (/^\d{4}-?\d{2}-?\d{2}$/.test(text.slice(0, end))) {
      throw unreal();
    }
    throw invalid();
  }
  const [hour, minute, second] = clock.fields;
  if (hour > 23 || minute > 59 || second > 59) throw unreal();
  if (Math.abs(offsetMicros) >= MICROS_PER_DAY) {
    throw new SyntaxError(
      `invalid UTC offset in time ${JSON.stringify(text)}; ${EXPECTED_TIME}`,
    );
  }
  return {
    micros: day * MICROS_PER_DAY +
      ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND +
      clock.fraction - offsetMicros,
    needsPython311: !PORTABLE_TIME.test(text),
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

/**
 * Parses a whole number of days from `min` to `max`, as every day count
 * on the command line is read.
 *
 * @param label names the option or argument in the message, like
 *   `--days` or `DAYS`.
 * @throws {UsageError} naming the label, the value and the range.
 */
export function parseDayCount(
  text: string,
  label: string,
  min: number,
  max: number,
): number {
  const days = /^[0-9]{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(days >= min && days <= max)) {
    throw new UsageError(
      `invalid ${label} ${
        JSON.stringify(text)
      }: give a whole number of days from ${min} to ${max}`,
    );
  }
  return days;
}
