/**
 * The `simulate` command: the SDK's {@link HonoSimulator} against any broker, for trying out commands
 * without Hono. The devices connect at the start, every request to them is answered with one status
 * echoing the command's payload, each handled command is printed, and SIGINT or SIGTERM disconnects the
 * devices and closes the simulator.
 *
 * The simulator reads the tenant's commands in a group of its own from the start of the topic, so it
 * would answer the commands of earlier runs too: commands created before this run started are neither
 * answered nor printed.
 */
import type { Logger } from '../consumer/options.js';
import { secretValues } from '../consumer/options.js';
import { OptionsError } from '../errors.js';
import type { HonoSimulator } from '../testing/hono-simulator.js';
import type { CommandAnswer, HandledCommand } from '../testing/command-router.js';
import type { DecodedCommand } from '../wire/commands.js';
import type { SimulateArgs } from './command-args.js';
import { formatHandledCommand, printable } from './format.js';
import { programName } from './help.js';
import { type CliIo, ExitCode, type StopSignal } from './io.js';
import { writeLine } from './progress.js';
import { describe, optionProblem, usageError } from './report.js';

/**
 * The answer of a simulated device: the given status, echoing the command's payload and content type.
 *
 * @param command - the command
 * @param status - the status to answer with
 * @returns the answer
 */
export function echoAnswer(command: DecodedCommand, status: number): CommandAnswer {
  return { status, payload: command.payload ?? undefined, contentType: command.contentType };
}

/**
 * Runs `simulate` until SIGINT or SIGTERM.
 *
 * @param args - the validated arguments
 * @param io - the process's streams and signals
 * @returns the exit code
 */
export async function runSimulate(args: SimulateArgs, io: CliIo): Promise<number> {
  const secrets = secretValues(args.kafka);
  const say = (line: string): Promise<void> =>
    writeLine(io.stderr, `${programName}: ${line}`).catch(() => undefined);
  for (const warning of args.warnings) await say(`warning: ${warning}`);
  const { HonoSimulator } = await import('../testing/hono-simulator.js');
  let simulator: HonoSimulator;
  try {
    simulator = new HonoSimulator({
      brokers: args.brokers,
      kafka: args.kafka,
      clientId: `${programName}-simulator`,
      connectTimeoutMs: args.connectTimeoutMs,
      logger: stderrLogger(say),
    });
  } catch (error) {
    if (!(error instanceof OptionsError)) {
      await say(`error: ${describe(error, secrets)}`);
      return ExitCode.failure;
    }
    return usageError(io, error.problems.map(optionProblem), 'simulate');
  }

  const state = { signalled: false };
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = (signal: StopSignal) => (): void => {
    if (state.signalled) {
      io.forceExit(signal);
      return;
    }
    state.signalled = true;
    void say(`disconnecting the devices; ${signal} again exits at once`);
    stop();
  };
  const stopOn = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  io.signals.on('SIGINT', stopOn.SIGINT);
  io.signals.on('SIGTERM', stopOn.SIGTERM);

  const startedAt = Date.now();
  let skipped = 0;
  simulator.on('command', (handled: HandledCommand) => {
    if (handled.outcome === 'skipped') {
      skipped += 1;
      return;
    }
    writeLine(io.stdout, formatHandledCommand(handled, args.json)).catch(() => {
      stop();
    });
  });
  const devices = args.deviceIds.map((deviceId) => simulator.device(args.tenant, deviceId));
  let code: number = ExitCode.done;
  try {
    for (const device of devices) {
      if (state.signalled) break;
      await device.connect({ ttd: args.ttd });
    }
    if (!state.signalled) {
      // Commands of earlier runs are skipped, not answered (nor given a 503 for a device not simulated now).
      await simulator.answerCommands(args.tenant, (command) => echoAnswer(command, args.status), {
        ignoreCreatedBefore: startedAt,
      });
      const names = args.deviceIds.map(printable).join(', ');
      await say(
        `simulating ${names} of tenant ${args.tenant} (ttd ${String(args.ttd)}); answering commands with ${String(args.status)} (Ctrl-C stops)`,
      );
      await stopped;
    }
  } catch (error) {
    await say(`error: ${describe(error, secrets)}`);
    code = ExitCode.failure;
  }
  try {
    for (const device of devices) await device.disconnect();
  } catch (error) {
    await say(`error: the devices could not disconnect: ${describe(error, secrets)}`);
    code = ExitCode.failure;
  }
  await simulator.close();
  io.signals.off('SIGINT', stopOn.SIGINT);
  io.signals.off('SIGTERM', stopOn.SIGTERM);
  if (skipped > 0) await say(`skipped ${String(skipped)} commands created before the start`);
  return code;
}

/** The simulator's warnings and errors on stderr; its info and debug messages are left out. */
function stderrLogger(say: (line: string) => Promise<void>): Logger {
  const line = (level: string, message: string, context?: Record<string, unknown>): void => {
    const cause = context?.['error'];
    const detail =
      cause instanceof Error ? `: ${cause.message}` : typeof cause === 'string' ? `: ${cause}` : '';
    void say(`${level}: ${message}${detail}`);
  };
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, context) => {
      line('warning', message, context);
    },
    error: (message, context) => {
      line('error', message, context);
    },
  };
}
