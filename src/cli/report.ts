/**
 * How the commands report what went wrong on stderr: usage problems with a hint to `--help`, client
 * option problems named by their command-line option, and errors without secret values.
 */
import { isHonoKafkaError } from '../errors.js';
import type { CommandName } from './args.js';
import { helpHint, programName } from './help.js';
import { type CliIo, ExitCode } from './io.js';
import { writeLine } from './progress.js';

/**
 * Writes usage problems and the hint to `--help` on stderr.
 *
 * @param io - the process's streams
 * @param problems - what is wrong
 * @param command - the command they are about, if any
 * @returns {@link ExitCode.usage}
 */
export async function usageError(
  io: CliIo,
  problems: readonly string[],
  command: CommandName | undefined,
): Promise<number> {
  const lines = [...problems.map((problem) => `${programName}: ${problem}`), helpHint(command)];
  await writeLine(io.stderr, lines.join('\n')).catch(() => undefined);
  return ExitCode.usage;
}

/**
 * A client option's problem, named by the command-line option that sets it.
 *
 * @param problem - the path and message of an {@link OptionsError}'s problem
 * @returns the problem as the command line says it
 */
export function optionProblem({ path, message }: { path: string; message: string }): string {
  if (path === 'kafka') return `--kafka: ${message}`;
  if (path.startsWith('kafka.')) return `--kafka ${path.slice('kafka.'.length)}: ${message}`;
  const flag = { tenant: '--tenant', groupId: '--group', brokers: '--brokers' }[path.split('.')[0] ?? ''];
  return `${flag ?? path}: ${message}`;
}

/**
 * An error as `CODE: message` (the SDK's typed errors) or its message, with secret values replaced (the
 * SDK scrubs its own errors; the client's configuration errors are not its own).
 *
 * @param error - what was thrown
 * @param secrets - values never to show
 * @returns one line
 */
export function describe(error: unknown, secrets: readonly string[]): string {
  const text = isHonoKafkaError(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
  return [...secrets]
    .sort((a, b) => b.length - a.length)
    .reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}
