/**
 * The application side of `commands-broker-restart`, in a process of its own: a `HonoCommandClient` that
 * starts requests at a steady rate, request `n` to `device-<n % devices>` with the payload `{"n": n}` and
 * its own `timeoutMs`, and appends how each one settled to a ledger ({@link SettledRequest}): `ok` only
 * for a 200 response whose echo names request `n`, the response's correlation id and the device.
 *
 * Configured by `CHAOS_CONFIG` (JSON {@link CommandClientConfig}). One request with a long timeout
 * positions the tenant's response reader first (not counted); then it prints `ready` and sends until
 * the runner writes `stop` on stdin. Then it waits for every request to settle (at most `timeoutMs +
 * hangGraceMs`), closes the client, prints a {@link ClientSummary} and exits 0.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { HonoCommandClient } from '../src/commands/hono-command-client.js';
import { isHonoKafkaError } from '../src/errors.js';
import type { CommandResponse } from '../src/wire/command-types.js';
import {
  type CommandClientConfig,
  type EchoPayload,
  hangGraceMs,
  type ProcessLine,
  type RequestPayload,
  type SettledRequest,
} from './commands-protocol.js';

const config = JSON.parse(process.env['CHAOS_CONFIG'] ?? '') as CommandClientConfig;
const ledger = createWriteStream(config.ledgerPath);
const unhandledRejections: string[] = [];
const errorEvents: Record<string, number> = {};
/** Requests sent and not settled yet, by number. */
const pending = new Set<number>();
let sent = 0;
let settled = 0;
/** Responses the client read for no pending request (they came after their request's timeout). */
let lateResponses = 0;
/** Set by the runner's `stop` line. */
const control = { stop: false };

function say(line: ProcessLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

process.on('unhandledRejection', (reason) => {
  unhandledRejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  console.error('[client] unhandled rejection', reason);
});

const client = new HonoCommandClient({
  brokers: config.brokers,
  requestTimeoutMs: config.timeoutMs,
  closeTimeoutMs: config.closeTimeoutMs,
  logger: {
    debug: (message) => {
      if (message === 'command response for no pending request') lateResponses += 1;
    },
    info: () => undefined,
    warn: (message, context) => {
      console.error(`[client] warn ${message} ${JSON.stringify(context ?? {})}`);
    },
    error: (message, context) => {
      console.error(`[client] error ${message} ${JSON.stringify(context ?? {})}`);
    },
  },
});
client.on('error', (error) => {
  errorEvents[error.code] = (errorEvents[error.code] ?? 0) + 1;
});
client.on('invalidResponse', (error) => {
  errorEvents[`invalidResponse ${error.code}`] = (errorEvents[`invalidResponse ${error.code}`] ?? 0) + 1;
});

/** How a resolved request's response compares with the request. */
function judge(
  n: number,
  deviceId: string,
  response: CommandResponse,
): Omit<SettledRequest, 'n' | 'startedAt' | 'settledAt'> {
  if (response.kind === 'deliveryFailure') {
    return { outcome: 'failure', code: String(response.status), detail: response.error };
  }
  if (response.status !== 200) return { outcome: 'failure', code: String(response.status) };
  let echo: EchoPayload;
  let request: RequestPayload;
  try {
    echo = JSON.parse(response.payload?.toString('utf8') ?? '') as EchoPayload;
    request = JSON.parse(echo.echo) as RequestPayload;
  } catch {
    return {
      outcome: 'mismatch',
      detail: `payload is no echo: ${response.payload?.toString('utf8') ?? 'null'}`,
    };
  }
  const problems = [
    request.n === n ? undefined : `echoes request ${String(request.n)}`,
    echo.correlationId === response.correlationId
      ? undefined
      : `echoes correlation id ${String(echo.correlationId)}, header ${response.correlationId}`,
    echo.deviceId === deviceId && response.deviceId === deviceId
      ? undefined
      : `device ${response.deviceId} (echo ${echo.deviceId}), sent to ${deviceId}`,
  ].filter((problem) => problem !== undefined);
  return problems.length === 0 ? { outcome: 'ok' } : { outcome: 'mismatch', detail: problems.join('; ') };
}

function send(n: number): void {
  const deviceId = `device-${String(n % config.devices)}`;
  const payload: RequestPayload = { n };
  const startedAt = Date.now();
  pending.add(n);
  sent += 1;
  const finish = (result: Omit<SettledRequest, 'n' | 'startedAt' | 'settledAt'>): void => {
    const entry: SettledRequest = { n, startedAt, settledAt: Date.now(), ...result };
    pending.delete(n);
    settled += 1;
    // A request still pending when the ledger closed is reported as hung instead.
    if (!ledger.writableEnded) ledger.write(`${JSON.stringify(entry)}\n`);
  };
  client
    .request({
      tenant: config.tenant,
      deviceId,
      name: 'echo',
      payload: JSON.stringify(payload),
      contentType: 'application/json',
      timeoutMs: config.timeoutMs,
    })
    .then(
      (response) => {
        finish(judge(n, deviceId, response));
      },
      (error: unknown) => {
        finish(
          isHonoKafkaError(error)
            ? { outcome: 'rejected', code: error.code, detail: error.message.slice(0, 300) }
            : { outcome: 'untyped', code: 'untyped', detail: String(error).slice(0, 300) },
        );
      },
    );
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'stop') control.stop = true;
});
// The runner holds our stdin open; when it dies, stdin ends and we do not outlive it.
process.stdin.on('end', () => {
  process.exit(2);
});

// Positions the tenant's response reader (its first request waits for it): not part of the figures.
const primingBegan = Date.now();
for (let attempt = 1; ; attempt++) {
  try {
    await client.request({ tenant: config.tenant, deviceId: 'device-0', name: 'prime', timeoutMs: 30_000 });
    break;
  } catch (error) {
    if (attempt === 3) {
      say({ event: 'failed', message: `priming request: ${String(error)}` });
      process.exit(1);
    }
  }
}
say({ event: 'ready', ms: Date.now() - primingBegan });

const began = Date.now();
while (!control.stop) {
  const due = Math.floor(((Date.now() - began) * config.requestsPerSecond) / 1000);
  while (sent < due) send(sent);
  await sleep(5);
}

const waitUntil = Date.now() + config.timeoutMs + hangGraceMs;
while (pending.size > 0 && Date.now() < waitUntil) await sleep(20);
const hung = [...pending].sort((a, b) => a - b);
const pendingAfter = client.pendingRequests;
const closing = Date.now();
await client.close();
const closeMs = Date.now() - closing;
ledger.end();
await once(ledger, 'finish');
say({
  event: 'summary',
  sent,
  settled,
  hung,
  pendingAfter,
  closeMs,
  unhandledRejections,
  errorEvents,
  lateResponses,
});
process.exit(0);
