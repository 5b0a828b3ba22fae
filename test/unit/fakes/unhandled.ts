/**
 * Rejections nobody handled while a test ran: they would end a real process (Node's default
 * `--unhandled-rejections=throw`), so a test that checks the SDK never leaves one collects them:
 *
 * ```ts
 * const unhandled = captureUnhandledRejections();
 * beforeEach(() => unhandled.start());
 * afterEach(async () => {
 *   expect(await unhandled.stop()).toStrictEqual([]);
 * });
 * ```
 */

/** The real `setTimeout`, taken before a test can fake it. */
const realSetTimeout = globalThis.setTimeout;

/** A collector of unhandled rejections, listening between `start()` and `stop()`. */
export interface UnhandledRejections {
  /** Forgets what was collected and listens for unhandled rejections. */
  start(): void;
  /**
   * Waits a turn of the event loop (Node reports an unhandled rejection after the microtasks ran out),
   * then stops listening.
   *
   * @returns the reasons of the rejections collected since `start()`, in order
   */
  stop(): Promise<unknown[]>;
}

/**
 * Makes a collector of unhandled rejections (one a test file; start and stop it around each test).
 *
 * @returns the collector, not listening yet
 */
export function captureUnhandledRejections(): UnhandledRejections {
  const reasons: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    reasons.push(reason);
  };
  return {
    start() {
      reasons.length = 0;
      process.on('unhandledRejection', onUnhandled);
    },
    async stop() {
      await new Promise((resolve) => realSetTimeout(resolve, 0));
      process.off('unhandledRejection', onUnhandled);
      return [...reasons];
    },
  };
}
