/**
 * Sending request/response commands while a device can receive them, as Hono's own example application
 * (`HonoExampleApplicationBase`) does, with the SDK's consumer, `DeviceWindows` and `HonoCommandClient`:
 *
 * - Every event the consumer reads feeds `DeviceWindows`, which keeps each device's latest command window
 *   (`ttd`, mostly on empty notifications, sometimes on data events of HTTP devices).
 * - A window opens (`ttd` positive): one command, with a timeout of the time left in the window (at most
 *   10 s).
 * - `ttd` `-1` (an MQTT device subscribed): a command now, and again every `COMMAND_INTERVAL_MS` after the
 *   previous answer, until a notification with `ttd` `0` closes the window.
 * - Each answer is printed as hono-cli prints it, `res <device> <status> <content-type> <payload>`; a
 *   delivery failure that Hono wrote (503: the device is not connected or has not subscribed) and a
 *   timeout are printed too. After a 503 the device gets no more commands until its next notification:
 *   a `ttd` `-1` replayed from the topic can be long out of date.
 *
 * The handlers only record the window and start or stop a device's sender; the commands run outside them,
 * so that a device that answers slowly never holds up the partition (and its own `ttd` `0`).
 * The command is Hono's example command, `setBrightness` with `{"brightness": <0-99>}`.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/send-command-on-ttd.ts`, and connect a device
 * to Hono (or to the SDK's `HonoSimulator`). Stop it with Ctrl-C or SIGTERM: the consumer stops, the
 * command client closes (a command waiting for its answer ends with `ERR_HONO_CLIENT_CLOSED`).
 *
 * Environment: `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092), `HONO_TENANT` (DEFAULT_TENANT),
 * `GROUP_ID` (send-command-example), `COMMAND_INTERVAL_MS` (5000, Hono's `command.repetition.interval`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CommandResponse,
  DeviceWindows,
  type HonoEvent,
  HonoCommandClient,
  HonoEventConsumer,
  isHonoKafkaError,
} from 'eclipse-hono-kafka';

const brokers = process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092';
const tenant = process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT';
const commandIntervalMs = Number(process.env['COMMAND_INTERVAL_MS'] ?? 5_000);
/** The longest wait for an answer, also for a window without end (`ttd` `-1`). */
const commandTimeoutMs = 10_000;
/** Less time than this left in the window: a command could not complete. */
const minimumWindowMs = 500;

const windows = new DeviceWindows();
const client = new HonoCommandClient({ brokers });
/** The sender of a device whose window is open. */
interface Sender {
  readonly stop: AbortController;
  /** How many notifications opened the device's window: one more arriving while busy asks for a command. */
  openings: number;
}
/** The sender of each device whose window is open. */
const senders = new Map<string, Sender>();
/** Every sender still running, also those stopped but still waiting for an answer. */
const running = new Set<Promise<void>>();
/** Aborted on SIGTERM or SIGINT: no sender starts afterwards. */
const shutdown = new AbortController();

const describeError = (error: unknown): string =>
  isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : String(error);

function print(deviceId: string, response: CommandResponse): void {
  if (response.kind === 'deliveryFailure') {
    console.log(`${deviceId}: not delivered, ${response.status} ${response.error}`);
    return;
  }
  // As hono-cli's `req` prints an answer.
  const payload = response.payload === null ? '-' : response.payload.toString('utf8');
  console.log(`res ${deviceId} ${response.status} ${response.contentType ?? '-'} ${payload}`);
}

/**
 * Sends commands to a device while its window is open: one per window with an end, one every
 * `commandIntervalMs` for `ttd` `-1`. Ends when the window closes, on a 503, or when `stop` aborts.
 */
async function sendWhileReachable(deviceId: string, sender: Sender): Promise<void> {
  const stop = sender.stop.signal;
  while (!stop.aborted) {
    const openings = sender.openings;
    // Infinity for `ttd` -1; 0 once a `ttd` 0 closed the window or its time ran out.
    const remainingMs = windows.remainingMs(tenant, deviceId);
    if (remainingMs < minimumWindowMs) return;
    const payload = JSON.stringify({ brightness: Math.floor(Math.random() * 100) });
    try {
      const response = await client.request({
        tenant,
        deviceId,
        name: 'setBrightness',
        payload,
        contentType: 'application/json',
        timeoutMs: Math.floor(Math.min(remainingMs, commandTimeoutMs)),
      });
      print(deviceId, response);
      // Not subscribed (any more), unless the device announced a window again since the command was sent.
      const refused = response.kind === 'deliveryFailure' && response.status === 503;
      if (refused && sender.openings === openings) return;
    } catch (error) {
      // No answer in time, the client was closed, or the command could not be written.
      console.log(`${deviceId}: setBrightness failed: ${describeError(error)}`);
    }
    if (remainingMs !== Infinity) {
      // An HTTP device that got its command may ask for the next one before its answer was read here.
      if (sender.openings !== openings) continue;
      return;
    }
    // Woken early by `ttd` 0 or the shutdown.
    await sleep(commandIntervalMs, undefined, { signal: stop }).catch(() => undefined);
  }
}

/** Learns the device's window from an event; starts its sender when the window opens, stops it when closed. */
function onEvent(event: HonoEvent): void {
  if (event.ttd === undefined) return;
  windows.observe(event);
  const { deviceId } = event;
  const remainingMs = windows.remainingMs(tenant, deviceId);
  if (remainingMs === 0) {
    console.log(`${deviceId}: command window closed (ttd ${event.ttd})`);
    senders.get(deviceId)?.stop.abort();
    senders.delete(deviceId);
    return;
  }
  console.log(
    remainingMs === Infinity
      ? `${deviceId}: reachable until further notice (ttd -1)`
      : `${deviceId}: reachable for ${remainingMs} ms (ttd ${event.ttd})`,
  );
  const busy = senders.get(deviceId);
  if (busy !== undefined) {
    // It reads the new window before its next command.
    busy.openings += 1;
    return;
  }
  if (shutdown.signal.aborted) return;
  const sender: Sender = { stop: new AbortController(), openings: 1 };
  senders.set(deviceId, sender);
  const done = sendWhileReachable(deviceId, sender).finally(() => {
    if (senders.get(deviceId) === sender) senders.delete(deviceId);
    running.delete(done);
  });
  running.add(done);
}

const consumer = new HonoEventConsumer({
  brokers,
  tenant,
  groupId: process.env['GROUP_ID'] ?? 'send-command-example',
});
consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});
client.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});

// Empty notifications and data events both carry `ttd`; connection events do not.
await consumer.run({ emptyNotification: onEvent, event: onEvent });
console.log('consumer running');

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  console.log(`${signal}: stopping`);
  shutdown.abort();
  for (const sender of senders.values()) sender.stop.abort();
  try {
    // First no more windows, then no more commands: close() ends the requests still waiting.
    await consumer.stop();
    await client.close();
    await Promise.all(running);
    console.log('stopped');
  } catch (error) {
    console.error(describeError(error));
    process.exitCode = 1;
  }
}
// `once`: a second Ctrl-C or SIGTERM gets Node's default, an immediate exit.
process.once('SIGINT', (signal) => void shutDown(signal));
process.once('SIGTERM', (signal) => void shutDown(signal));
