/**
 * Counts in messages: "1 day", "2 days", "0 certificates".
 *
 * @module
 */

/**
 * Writes `count` with `noun`, adding "s" (or using `plural`) unless the
 * count is exactly 1.
 */
export function formatCount(
  count: number,
  noun: string,
  plural = noun + "s",
): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
