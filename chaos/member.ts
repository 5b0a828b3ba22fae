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
