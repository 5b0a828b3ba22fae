/**
 * What the consumer processes of the fault scenarios share: a logger that labels its lines on stderr, the
 * lifecycle lines they report to the runner, and the signals that stop them.
 */
import type { HonoEventConsumer, Logger } from '../src/index.js';
import type { LifecycleLine } from './protocol.js';

/**
 * Warnings and errors on stderr, prefixed with the process's label.
 *
 * @param label - the member's label, e.g. `c2`
 * @returns the logger
 */
export function labelledLogger(label: string): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, context) => {
      console.error(`[${label}] warn ${message} ${JSON.stringify(context ?? {})}`);
    },
    error: (message, context) => {
      console.error(`[${label}] error ${message} ${JSON.stringify(context ?? {})}`);
    },
  };
}

/**
 * Reports the consumer's start, assignments, revokes, losses, errors and failed commits to the runner.
 *
 * @param consumer - the member's consumer
 * @param say - writes a line for the runner
 */
export function reportLifecycle(consumer: HonoEventConsumer, say: (line: LifecycleLine) => void): void {
  const partitionsOf = (list: readonly { partition: number }[]): number[] => list.map((p) => p.partition);
  consumer.on('started', () => {
    say({ event: 'started' });
  });
  consumer.on('assigned', (list) => {
    say({ event: 'assigned', partitions: partitionsOf(list) });
  });
  consumer.on('revoked', (list) => {
    say({ event: 'revoked', partitions: partitionsOf(list) });
  });
  consumer.on('lost', (list) => {
    say({ event: 'lost', partitions: partitionsOf(list) });
  });
  consumer.on('error', (error) => {
    say({ event: 'error', message: `${error.code}: ${error.message}` });
  });
  consumer.on('commitFailed', (error) => {
    say({ event: 'commitFailed', message: `${error.code}: ${error.message}` });
  });
}

/**
 * Calls `stop` on SIGTERM and SIGINT, and when the runner, which holds stdin open, is gone.
 *
 * @param stop - stops the member, with the reason
 */
export function stopOnSignals(stop: (reason: string) => void): void {
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  // The runner holds our stdin open; when it dies, stdin ends and we do not outlive it.
  process.stdin.on('end', () => {
    stop('runner gone');
  });
  process.stdin.resume();
}

/**
 * Stops the member on SIGTERM, SIGINT or the runner's end (see {@link stopOnSignals}), once: stops the
 * consumer, says `stopped`, closes the ledger, and exits with 0 (1 when the stop failed).
 *
 * @param label - the member's label, for the log
 * @param consumer - what stops
 * @param say - reports the lifecycle line
 * @param ledger - closed after the consumer stopped
 */
export function stopAndExitOnSignals(
  label: string,
  consumer: { stop(): Promise<void> },
  say: (line: LifecycleLine) => void,
  ledger: { close(): Promise<void> },
): void {
  let stopping: Promise<void> | undefined;
  stopOnSignals((reason) => {
    stopping ??= (async () => {
      console.error(`[${label}] ${reason}: stopping`);
      let code = 0;
      try {
        await consumer.stop();
        say({ event: 'stopped' });
        await ledger.close();
      } catch (error) {
        console.error(`[${label}] stop failed`, error);
        code = 1;
      }
      process.exit(code);
    })();
  });
}
