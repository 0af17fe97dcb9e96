/**
 * Settings shared by the property tests: PROPERTY_RUNS sets the runs per
 * property (default 10,000) and PROPERTY_SEED replays a seed. A failure
 * prints the seed.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";

/** Runs per property. */
export const RUNS = Number(Deno.env.get("PROPERTY_RUNS") ?? 10_000);

const SEED_TEXT = Deno.env.get("PROPERTY_SEED");
/** The seed of this run: PROPERTY_SEED, or a fresh one. */
export const SEED = SEED_TEXT === undefined
  ? Date.now() ^ (Math.random() * 2 ** 31)
  : Number(SEED_TEXT);

/** Checks a property with the run count and seed; fast-check prints both. */
export function check<T>(property: fc.IProperty<T>): void {
  fc.assert(property, { numRuns: RUNS, seed: SEED } as fc.Parameters<T>);
}

/** Draws `count` values of `arbitrary` with the seed. */
export function samples<T>(arbitrary: fc.Arbitrary<T>, count = RUNS): T[] {
  return fc.sample(arbitrary, { numRuns: count, seed: SEED });
}

/** Fails naming the seed, so that `PROPERTY_SEED=N` replays the inputs. */
export function failWithSeed(message: string): never {
  assert.fail(`${message} (replay with PROPERTY_SEED=${SEED})`);
}
