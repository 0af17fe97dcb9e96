/**
 * Counted nouns for messages: "1 certificate", "2 certificates", never
 * "certificate(s)".
 *
 * @module
 */

/**
 * Returns `count` followed by the singular or plural of a noun.
 *
 * @param plural the plural, when it is not `singular` + "s".
 */
export function countOf(
  count: number,
  singular: string,
  plural = `${singular}s`,
): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
