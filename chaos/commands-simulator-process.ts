/**
 * The Hono side of `commands-broker-restart`, in a process of its own: a `HonoSimulator` whose devices
 * (`device-0` ...) connect with `ttd: -1` and answer every command with status 200 and an
 * {@link EchoPayload}: the command's payload, correlation id and device, as read from the command record.
 *
 * Configured by `CHAOS_CONFIG` (JSON {@link SimulatorConfig}). Prints `ready` once commands are answered;
 * SIGTERM, or the runner closing stdin, closes the simulator, prints a {@link SimulatorSummary} and exits 0.
 */
import { HonoSimulator } from '../src/testing/index.js';
import type { EchoPayload, ProcessLine, SimulatorConfig } from './commands-protocol.js';
import { stopOnSignals } from './member.js';

const config = JSON.parse(process.env['CHAOS_CONFIG'] ?? '') as SimulatorConfig;
const began = Date.now();
const unhandledRejections: string[] = [];
const outcomes: Record<string, number> = {};

function say(line: ProcessLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

process.on('unhandledRejection', (reason) => {
  unhandledRejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  console.error('[simulator] unhandled rejection', reason);
});

const simulator = new HonoSimulator({
  brokers: config.brokers,
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, context) => {
      console.error(`[simulator] warn ${message} ${JSON.stringify(context ?? {})}`);
    },
    error: (message, context) => {
      console.error(`[simulator] error ${message} ${JSON.stringify(context ?? {})}`);
    },
  },
});
simulator.on('command', (handled) => {
  outcomes[handled.outcome] = (outcomes[handled.outcome] ?? 0) + 1;
});

let stopping: Promise<void> | undefined;
function stopAndExit(reason: string): void {
  stopping ??= (async () => {
    console.error(`[simulator] ${reason}: closing`);
    const closing = Date.now();
    await simulator.close();
    say({ event: 'summary', outcomes, closeMs: Date.now() - closing, unhandledRejections });
    process.exit(0);
  })();
}
stopOnSignals(stopAndExit);

try {
  await Promise.all(
    Array.from({ length: config.devices }, (_unused, index) =>
      simulator.device(config.tenant, `device-${index}`).connect({ ttd: -1 }),
    ),
  );
  await simulator.answerCommands(config.tenant, (command) => {
    const echo: EchoPayload = {
      echo: command.payload?.toString('utf8') ?? '',
      correlationId: command.correlationId,
      deviceId: command.deviceId,
    };
    return { status: 200, contentType: 'application/json', payload: JSON.stringify(echo) };
  });
  say({ event: 'ready', ms: Date.now() - began });
} catch (error) {
  say({ event: 'failed', message: error instanceof Error ? error.message : String(error) });
  stopAndExit('start failed');
}
