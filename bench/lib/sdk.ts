/**
 * The SDK as users get it: the compiled package in `dist/`, which the bench runner builds first. Types
 * come from the sources, so that the benchmarks type-check in a clone that was never built.
 */
import type * as Sdk from '../../src/index.js';

/** Imports `dist/index.js`. */
export async function loadSdk(): Promise<typeof Sdk> {
  const entry = new URL('../../dist/index.js', import.meta.url).href;
  return (await import(entry)) as typeof Sdk;
}

/** A logger that keeps the measurements' output clean: errors only. */
export const quietLogger: Sdk.Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: console.error,
};
