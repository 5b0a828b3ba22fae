/**
 * What every command of the command line needs from its process, and the exit codes they return.
 */
import type { OutputStream } from './progress.js';

/** The exit codes (see `--help`). */
export const ExitCode = {
  /** Done: `consume` stopped cleanly, `command` got a 2xx response (or the one-way command was written). */
  done: 0,
  /** A runtime failure: cannot connect, login refused, fatal Kafka client error, output failed. */
  failure: 1,
  /** Bad or missing arguments. */
  usage: 2,
  /** `command`: the device answered with a status that is not 2xx. */
  deviceError: 3,
  /** `command`: Hono could not deliver the command (e.g. 503: the device is not connected or not subscribed). */
  notDelivered: 4,
  /** `command`: the command was written, but no response came within `--timeout`. */
  noResponse: 5,
} as const;

/** Signals that stop a command: the first one cleanly, the second one at once. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** What a command needs from its process; tests pass their own. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where SIGINT and SIGTERM arrive (the process). */
  readonly signals: {
    on(signal: StopSignal, listener: () => void): unknown;
    off(signal: StopSignal, listener: () => void): unknown;
  };
  /**
   * Ends the process at once after a second signal, as the signal's default action does (exit status
   * 128 + its number: 130 for SIGINT). `process.exit()` is no good here: it waits for the Kafka client's
   * threads, e.g. for a connection attempt to time out.
   */
  readonly forceExit: (signal: StopSignal) => void;
}
