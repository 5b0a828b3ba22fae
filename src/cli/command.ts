/**
 * The `command` command: sends one command to a device with a {@link HonoCommandClient}, like
 * `hono-cli app command` (`req`, or `ow` with `--one-way`), prints the response, and tells the outcome
 * by its exit code: a 2xx response, another status of the device, Hono's delivery failure, or no
 * response in time.
 */
import type { HonoCommandClient } from '../commands/hono-command-client.js';
import { secretValues } from '../consumer/options.js';
import { CommandError, CommandErrorCode, ErrorCode, isHonoKafkaError, OptionsError } from '../errors.js';
import type { CommandResponse } from '../wire/commands.js';
import type { CommandArgs } from './command-args.js';
import { formatCommandResponse, jsonLine, printable } from './format.js';
import { programName } from './help.js';
import { type CliIo, ExitCode } from './io.js';
import { writeLine } from './progress.js';
import { describe, optionProblem, usageError } from './report.js';

/**
 * The exit code for a response: 0 for a device's 2xx, {@link ExitCode.deviceError} for any other
 * status of the device, {@link ExitCode.notDelivered} for Hono's delivery failure.
 *
 * @param response - the response
 * @returns the exit code
 */
export function responseExitCode(response: CommandResponse): number {
  if (response.kind === 'deliveryFailure') return ExitCode.notDelivered;
  return response.status >= 200 && response.status < 300 ? ExitCode.done : ExitCode.deviceError;
}

/**
 * What to say on stderr after a delivery failure: Hono's advice for 503, as `hono-cli` gives it.
 *
 * @param status - the delivery failure's status
 * @param deviceId - the device
 * @returns the hint, or `undefined` for other statuses
 */
export function deliveryFailureHint(status: number, deviceId: string): string | undefined {
  return status === 503
    ? `check that device ${printable(deviceId)} is connected to a protocol adapter and has subscribed for commands (for HTTP and CoAP devices: is within its ttd)`
    : undefined;
}

/**
 * Runs `command`.
 *
 * @param args - the validated arguments
 * @param io - the process's streams
 * @returns the exit code
 */
export async function runCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const secrets = secretValues(args.kafka);
  const say = (line: string): Promise<void> =>
    writeLine(io.stderr, `${programName}: ${line}`).catch(() => undefined);
  for (const warning of args.warnings) await say(`warning: ${warning}`);
  // Loaded here, so that --help and usage errors work without loading the native Kafka client.
  const { HonoCommandClient } = await import('../commands/hono-command-client.js');
  let client: HonoCommandClient;
  try {
    client = new HonoCommandClient({
      brokers: args.brokers,
      connectTimeoutMs: Math.min(args.connectTimeoutMs, args.timeoutMs),
      requestTimeoutMs: args.timeoutMs,
      clientId: `${programName}-command`,
      kafka: args.kafka,
      logger: quietLogger,
    });
  } catch (error) {
    if (!(error instanceof OptionsError)) {
      await say(`error: ${describe(error, secrets)}`);
      return ExitCode.failure;
    }
    return usageError(io, error.problems.map(optionProblem), 'command');
  }
  try {
    const command = {
      tenant: args.tenant,
      deviceId: args.deviceId,
      name: args.name,
      payload: args.payload,
      contentType: args.contentType,
    };
    if (args.oneWay) {
      await client.sendOneWay(command);
      if (args.json) {
        await writeLine(
          io.stdout,
          jsonLine({ type: 'oneWay', tenantId: args.tenant, deviceId: args.deviceId, name: args.name }),
        );
      }
      return ExitCode.done;
    }
    const response = await client.request(command);
    const line = formatCommandResponse(response, args.json);
    if (response.kind === 'response' || args.json) await writeLine(io.stdout, line);
    if (response.kind === 'deliveryFailure') {
      if (!args.json) await say(line);
      const hint = deliveryFailureHint(response.status, response.deviceId);
      if (hint !== undefined) await say(hint);
    }
    return responseExitCode(response);
  } catch (error) {
    return await failed(error, args, secrets, say);
  } finally {
    await client.close();
  }
}

/** The exit code and the message for what a call rejected with. */
async function failed(
  error: unknown,
  args: CommandArgs,
  secrets: readonly string[],
  say: (line: string) => Promise<void>,
): Promise<number> {
  if (error instanceof OptionsError) {
    for (const problem of error.problems) await say(optionProblem(problem));
    return ExitCode.usage;
  }
  // A device id or command name that Hono would drop, refused before anything was written.
  if (
    isHonoKafkaError(error) &&
    (error.code === ErrorCode.InvalidCommand || error.code === ErrorCode.InvalidTenant)
  ) {
    await say(describe(error, secrets));
    return ExitCode.usage;
  }
  await say(`error: ${describe(error, secrets)}`);
  // A timeout once the command was written means no response came; before, the command was not written.
  const written =
    error instanceof CommandError && error.code === CommandErrorCode.CommandTimedOut && error.acknowledged;
  if (!written) return ExitCode.failure;
  if (args.oneWay) return ExitCode.done;
  const seconds = String(args.timeoutMs / 1000);
  await say(
    `no response from device ${printable(args.deviceId)} within ${seconds} s: it may not be connected, may not answer this command, or need longer (--timeout)`,
  );
  return ExitCode.noResponse;
}

/** The client's own log: its failures reach the command as the call's error. */
const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
