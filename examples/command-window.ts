/**
 * Sending commands while a device can receive them: react to the command window an event announces.
 *
 * Hono's protocol adapters say when a device can receive commands with `ttd` (time 'til disconnect, in
 * seconds from the event's `creationTime`), mostly on empty notifications
 * (`application/vnd.eclipse-hono-empty-notification`), sometimes on a device's data events:
 *
 * - `ttd` `-1`: open until further notice. An MQTT device subscribed to its command topic; the window stays
 *   open until a later notification with `ttd` `0`.
 * - `ttd` `0` (or no `ttd`): closed. The device unsubscribed or disconnected; commands must wait.
 * - `ttd` positive: open for that many seconds. An HTTP device sent a message with `hono-ttd=30` and
 *   waits that long for a command in the response.
 *
 * The example keeps one command waiting per device (a stand-in for the application's outbox) and sends
 * it only while the window is open: `commandWindow()` tells the kind of window, `isDeviceReachable()` says
 * whether it is still open now (an event may have waited in Kafka past its window: consumer lag, a restart
 * that replays the topic), and `remainingCommandWindow()` bounds how long to wait for the device's answer.
 * Sending is simulated; the comment in `sendCommand` says what a real application does.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/command-window.ts`. Stop it with Ctrl-C or
 * SIGTERM.
 *
 * Environment: `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092), `HONO_TENANT` (DEFAULT_TENANT),
 * `GROUP_ID` (command-window-example).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CommandWindowSource,
  CommandWindowKind,
  HonoEventConsumer,
  commandWindow,
  isDeviceReachable,
  isHonoKafkaError,
  remainingCommandWindow,
} from 'eclipse-hono-kafka';

const tenant = process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT';

/** A command for a device. */
interface Command {
  readonly name: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** How long to wait for a device's answer when the window has no end (`ttd` `-1`). */
const commandTimeoutMs = 10_000;
/** Less time than this left in the window: do not start a command that cannot complete. */
const minimumWindowMs = 500;

/** Commands waiting for their device. A real application keeps them in a database. */
const outbox = new Map<string, Command[]>();

function pendingFor(deviceId: string): Command[] {
  let queue = outbox.get(deviceId);
  if (queue === undefined) {
    // For the example: every device starts with one command waiting.
    queue = [{ name: 'setInterval', payload: { seconds: 60 } }];
    outbox.set(deviceId, queue);
  }
  return queue;
}

/**
 * Sends a command and waits for the device's answer, at most `timeoutMs`. Simulated: a real application
 * produces the command to `hono.command.<tenant>` (key and `device_id` header: the device id; `subject`:
 * the command name; for a request/response command also `correlation-id` and `response-required`), as
 * Hono's Command & Control API for Kafka describes, and waits for the answer on
 * `hono.command_response.<tenant>`.
 */
async function sendCommand(
  deviceId: string,
  command: Command,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  // Now and then a device does not answer (it went to sleep before its window ended).
  const roundTripMs = Math.random() < 0.1 ? Infinity : 20 + Math.random() * 80;
  // `signal` aborts when the SDK gives up on the handler (handlerTimeoutMs, or stop() after the drain).
  if (roundTripMs > timeoutMs) {
    await sleep(timeoutMs, undefined, { signal });
    throw new Error(`no answer within ${Math.round(timeoutMs)} ms`);
  }
  await sleep(roundTripMs, undefined, { signal });
  console.log(
    `  -> ${tenant}/${deviceId}: ${command.name} ${JSON.stringify(command.payload)}, answered in ${Math.round(roundTripMs)} ms`,
  );
}

/** Sends the device's waiting commands, one by one, for as long as its window stays open. */
async function deliverPending(
  deviceId: string,
  window: CommandWindowSource,
  signal: AbortSignal,
): Promise<void> {
  const queue = pendingFor(deviceId);
  while (queue.length > 0) {
    const [command] = queue;
    if (command === undefined) break;
    // Ask again before every command: time passes while earlier ones are sent.
    if (!isDeviceReachable(window)) {
      console.log(`  ${deviceId}: window over, ${queue.length} command(s) wait for the next one`);
      return;
    }
    // Infinity for `ttd` -1: then the application's own timeout applies.
    const remainingMs = remainingCommandWindow(window);
    if (remainingMs < minimumWindowMs) {
      console.log(`  ${deviceId}: only ${remainingMs} ms left, ${queue.length} command(s) wait`);
      return;
    }
    try {
      await sendCommand(deviceId, command, Math.min(remainingMs, commandTimeoutMs), signal);
      queue.shift();
    } catch (error) {
      // The device did not answer in time, or the handler was aborted. The command stays queued for the
      // next window. Failing the handler instead would retry the notification, and with the default
      // `onFailure: 'pause'` hold up the partition for a device that is simply gone.
      signal.throwIfAborted();
      const reason = error instanceof Error ? error.message : String(error);
      console.log(`  ${deviceId}: ${command.name} failed (${reason}); it waits for the next window`);
      return;
    }
  }
}

/** Describes the window an event announces and sends what is waiting while it is open. */
async function onWindow(deviceId: string, source: CommandWindowSource, signal: AbortSignal): Promise<void> {
  const window = commandWindow(source);
  switch (window.kind) {
    case CommandWindowKind.Closed:
      console.log(`${deviceId}: command window closed (ttd ${source.ttd ?? 'absent'})`);
      return;
    case CommandWindowKind.UntilFurtherNotice:
      console.log(`${deviceId}: reachable until further notice (ttd -1)`);
      break;
    case CommandWindowKind.Until:
      console.log(
        `${deviceId}: reachable until ${window.until.toISOString()} (ttd ${source.ttd ?? 'absent'}), ` +
          `${remainingCommandWindow(source)} ms left`,
      );
      break;
  }
  await deliverPending(deviceId, source, signal);
}

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant,
  groupId: process.env['GROUP_ID'] ?? 'command-window-example',
  // The default, and what makes this work: a device's notifications are handled one after another, in
  // order, so a `ttd` 0 is never handled before the `ttd` -1 that it closes.
  ordering: 'device',
});

consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});

await consumer.run({
  emptyNotification: (event, { signal }) => onWindow(event.deviceId, event, signal),
  event: async (event, { signal }) => {
    // A data event with a `ttd` opens a window too (an HTTP device waiting for a command in the response).
    if (event.ttd !== undefined) await onWindow(event.deviceId, event, signal);
  },
});
console.log('consumer running');

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  console.log(`${signal}: stopping`);
  try {
    await consumer.stop();
  } catch (error) {
    console.error(isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : error);
    process.exitCode = 1;
  }
}
// `once`: a second Ctrl-C or SIGTERM gets Node's default, an immediate exit.
process.once('SIGINT', (signal) => void shutDown(signal));
process.once('SIGTERM', (signal) => void shutDown(signal));
