import assert from "node:assert/strict";
import {
  describeTimeDifference,
  formatDisplayTime,
  formatIsoTime,
  parseIsoTime,
} from "../lib/time.ts";

// 2027-01-31T12:00:00Z in microseconds.
const JAN_31 = Date.UTC(2027, 0, 31, 12) * 1000;

Deno.test("formatIsoTime() leaves out a zero fraction", () => {
  assert.equal(formatIsoTime(JAN_31), "2027-01-31T12:00:00+00:00");
});

Deno.test("formatIsoTime() writes six fraction digits", () => {
  assert.equal(
    formatIsoTime(JAN_31 + 123456),
    "2027-01-31T12:00:00.123456+00:00",
  );
  assert.equal(formatIsoTime(JAN_31 + 1), "2027-01-31T12:00:00.000001+00:00");
  assert.equal(
    formatIsoTime(JAN_31 + 500000),
    "2027-01-31T12:00:00.500000+00:00",
  );
});

Deno.test("formatIsoTime() uses the separator", () => {
  assert.equal(
    formatIsoTime(JAN_31 + 7, " "),
    "2027-01-31 12:00:00.000007+00:00",
  );
});

Deno.test("formatIsoTime() handles times before 1970", () => {
  assert.equal(formatIsoTime(0), "1970-01-01T00:00:00+00:00");
  assert.equal(formatIsoTime(-1), "1969-12-31T23:59:59.999999+00:00");
  const year1 = new Date(0);
  year1.setUTCFullYear(1, 0, 1);
  assert.equal(
    formatIsoTime(year1.getTime() * 1000),
    "0001-01-01T00:00:00+00:00",
  );
});

Deno.test("formatIsoTime() pads the year to four digits", () => {
  const year999 = new Date(0);
  year999.setUTCFullYear(999, 5, 1);
  assert.equal(
    formatIsoTime(year999.getTime() * 1000),
    "0999-06-01T00:00:00+00:00",
  );
});

Deno.test("formatIsoTime() rejects years past 9999", () => {
  const year10000 = Date.UTC(10000, 0, 1) * 1000;
  assert.throws(() => formatIsoTime(year10000), RangeError);
  assert.throws(() => formatIsoTime(Number.NaN), RangeError);
});

Deno.test("parseIsoTime() reads what formatIsoTime() writes", () => {
  for (const micros of [JAN_31, JAN_31 + 1, JAN_31 + 999999, 0, -1]) {
    const parsed = parseIsoTime(formatIsoTime(micros));
    assert.equal(parsed.micros, micros);
    assert.equal(parsed.needsPython311, false);
  }
});

Deno.test("parseIsoTime() applies non-UTC offsets", () => {
  assert.equal(parseIsoTime("2027-01-31T14:00:00+02:00").micros, JAN_31);
  assert.equal(parseIsoTime("2027-01-31T06:30:00-05:30").micros, JAN_31);
  assert.equal(
    parseIsoTime("2027-01-31T12:00:01+00:00:01").micros,
    JAN_31,
  );
  // Python 3.11 reads an offset of zero whole seconds as UTC.
  assert.equal(
    parseIsoTime("2027-01-31T12:00:00+00:00:00.000001").micros,
    JAN_31,
  );
  assert.equal(
    parseIsoTime("2027-01-31T12:00:01+00:00:01.000001").micros,
    JAN_31 - 1,
  );
});

Deno.test("parseIsoTime() reads three fraction digits", () => {
  assert.equal(
    parseIsoTime("2027-01-31T12:00:00.250+00:00").micros,
    JAN_31 + 250000,
  );
});

Deno.test("parseIsoTime() accepts a space and short times", () => {
  assert.equal(parseIsoTime("2027-01-31 12:00:00+00:00").micros, JAN_31);
  assert.equal(parseIsoTime("2027-01-31T12:00+00:00").micros, JAN_31);
  assert.equal(parseIsoTime("2027-01-31T12+00:00").micros, JAN_31);
});

Deno.test("parseIsoTime() marks Z as needing Python 3.11", () => {
  const parsed = parseIsoTime("2027-01-31T12:00:00Z");
  assert.equal(parsed.micros, JAN_31);
  assert.equal(parsed.needsPython311, true);
  assert.equal(parseIsoTime("2027-01-31T12:00:00.5Z").micros, JAN_31 + 500000);
});

Deno.test("parseIsoTime() rejects a naive time", () => {
  assert.throws(
    () => parseIsoTime("2027-01-31T12:00:00"),
    /has no UTC offset; expected an ISO 8601 time with a UTC offset/,
  );
  assert.throws(
    () => parseIsoTime("2027-01-31 12:00:00.123456"),
    /has no UTC offset/,
  );
  assert.throws(() => parseIsoTime("2027-01-31"), /has no UTC offset/);
});

Deno.test("parseIsoTime() rejects malformed text", () => {
  for (
    const text of [
      "",
      "tomorrow",
      "2027-1-31T12:00:00+00:00",
      "2027-01-31T12:00:00+00:00Z",
      "2027-01-31T12:00:00.12x+00:00",
      "2027-01-31T12:00:00+00:00 ",
      " 2027-01-31T12:00:00+00:00",
    ]
  ) {
    assert.throws(() => parseIsoTime(text), /invalid time/, text);
  }
});

Deno.test("parseIsoTime() rejects impossible dates", () => {
  for (
    const text of [
      "2027-02-29T12:00:00+00:00",
      "2027-13-01T12:00:00+00:00",
      "2027-01-32T12:00:00+00:00",
      "2027-01-31T24:00:00+00:00",
      "2027-01-31T12:60:00+00:00",
      "2027-01-31T12:00:60+00:00",
      "0000-01-01T00:00:00+00:00",
    ]
  ) {
    assert.throws(() => parseIsoTime(text), /not a real date and time/, text);
  }
  assert.equal(
    parseIsoTime("2028-02-29T12:00:00+00:00").micros,
    Date.UTC(2028, 1, 29, 12) * 1000,
  );
});

Deno.test("parseIsoTime() rejects offsets of a day or more", () => {
  assert.throws(
    () => parseIsoTime("2027-01-31T12:00:00+24:00"),
    /invalid UTC offset/,
  );
});

Deno.test("describeTimeDifference() uses seconds below 120", () => {
  assert.equal(describeTimeDifference(0), "0 seconds ago");
  assert.equal(describeTimeDifference(1), "1 second ago");
  assert.equal(describeTimeDifference(1.9), "1 second ago");
  assert.equal(describeTimeDifference(119.9), "119 seconds ago");
});

Deno.test("describeTimeDifference() switches units at Tahoe's thresholds", () => {
  const HOUR = 3600;
  const DAY = 24 * HOUR;
  const cases: [number, string][] = [
    [120, "2 minutes ago"],
    [3 * HOUR - 1, "179 minutes ago"],
    [3 * HOUR, "3 hours ago"],
    [2 * DAY - 1, "47 hours ago"],
    [2 * DAY, "2 days ago"],
    [60 * DAY - 1, "59 days ago"],
    [60 * DAY, "2 months ago"],
    [4 * 365 * DAY - 1, "48 months ago"],
    [4 * 365 * DAY, "4 years ago"],
    [400 * 365 * DAY, "400 years ago"],
  ];
  for (const [seconds, text] of cases) {
    assert.equal(describeTimeDifference(seconds), text, String(seconds));
  }
});

Deno.test("describeTimeDifference() describes the future", () => {
  assert.equal(describeTimeDifference(-0.5), "0 seconds in the future");
  assert.equal(describeTimeDifference(-1), "1 second in the future");
  assert.equal(describeTimeDifference(-30 * 86400), "30 days in the future");
  assert.equal(describeTimeDifference(-61 * 86400), "2 months in the future");
});

Deno.test("parseIsoTime() reads years before 100", () => {
  const year1 = new Date(0);
  year1.setUTCFullYear(1, 0, 1);
  assert.equal(
    parseIsoTime("0001-01-01T00:00:00+00:00").micros,
    year1.getTime() * 1000,
  );
  const year99 = new Date(0);
  year99.setUTCFullYear(99, 11, 31);
  assert.equal(
    parseIsoTime("0099-12-31T00:00:00+00:00").micros,
    year99.getTime() * 1000,
  );
});

Deno.test("parseIsoTime() flags forms Python 3.9 cannot read", () => {
  for (
    const text of [
      "2027-01-31T12:00:00.5+00:00",
      "20270131T120000+00:00",
      "2027-01-31T12:00:00+0000",
      "2027-W04-7T12:00:00+00:00",
    ]
  ) {
    const parsed = parseIsoTime(text);
    assert.equal(parsed.micros, JAN_31 + (text.includes(".5") ? 500000 : 0));
    assert.equal(parsed.needsPython311, true, text);
  }
  assert.equal(
    parseIsoTime("2027-01-31T12:00:00.500+00:00").needsPython311,
    false,
  );
});

Deno.test("formatDisplayTime() writes times past year 9999", () => {
  const late = parseIsoTime("9999-12-31T23:59:59-01:00").micros;
  assert.equal(formatDisplayTime(late, " "), "+10000-01-01 00:59:59+00:00");
  assert.throws(() => formatIsoTime(late), RangeError);
});

Deno.test("formatDisplayTime() writes times before year 1", () => {
  const early = parseIsoTime("0001-01-01T00:30:00+01:00").micros;
  assert.equal(formatDisplayTime(early, " "), "0000-12-31 23:30:00+00:00");
});

Deno.test("formatDisplayTime() matches formatIsoTime() within range", () => {
  assert.equal(formatDisplayTime(JAN_31, "T"), formatIsoTime(JAN_31));
  assert.equal(formatDisplayTime(Number.NaN), "invalid time");
});
