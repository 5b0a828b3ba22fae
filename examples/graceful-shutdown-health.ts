/**
 * Graceful shutdown and health probes, as an orchestrator such as Kubernetes expects them:
 *
 * - SIGTERM or SIGINT: `consumer.stop()` lets the running handlers finish (up to `drainTimeoutMs`),
 *   commits what they finished and leaves the group; then the HTTP server closes and the process exits
 *   with code 0. A second signal exits at once (the next owner of the partitions handles again what was
 *   not committed: at least once, never lost).
 * - `GET /livez` (liveness): 200 while the consumer's poll loop is alive, 503 when it is not.
 * - `GET /readyz` (readiness): 200 while the consumer runs and reaches the brokers, 503 otherwise.
 *
 * Both answer with the consumer's health snapshot as JSON.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/graceful-shutdown-health.ts`, and in another
 * terminal `curl -i localhost:8080/readyz`. Stop it with Ctrl-C, or with SIGTERM to the example's own
 * process: `npx` does not pass SIGTERM on to its child, so `kill` the `tsx` process, or start the example
 * with `node --import tsx examples/graceful-shutdown-health.ts`, as a container's entry point would.
 *
 * Environment: `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092), `HONO_TENANT` (DEFAULT_TENANT),
 * `GROUP_ID` (health-example), `PORT` (8080).
 *
 * In Kubernetes, point `livenessProbe` at `/livez` and `readinessProbe` at `/readyz`, and keep
 * `terminationGracePeriodSeconds` (default 30) above `drainTimeoutMs + closeTimeoutMs` (here 15 s + 10 s),
 * so that the kubelet's SIGKILL does not cut the drain short.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type HealthSnapshot, HonoEventConsumer, isHonoKafkaError } from 'eclipse-hono-kafka';

const port = Number(process.env['PORT'] ?? 8080);

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant: process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT',
  groupId: process.env['GROUP_ID'] ?? 'health-example',
  // The bounds of stop(): handlers get up to 15 s to finish, leaving the group and closing up to 10 s.
  drainTimeoutMs: 15_000,
  closeTimeoutMs: 10_000,
});

consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});
consumer.on('committed', (positions) => {
  console.log(`committed ${positions.map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(', ')}`);
});

// ---------------------------------------------------------------------------------------------------
// Health probes
// ---------------------------------------------------------------------------------------------------

/**
 * How long the poll loop may go without returning before the process counts as hung. The loop returns
 * at least every 100 ms while it runs (also while handlers run and while the brokers are down), so 30 s
 * means it is stuck, or the event loop is blocked, not merely busy.
 */
const pollStaleMs = 30_000;

/** A probe's verdict: `undefined` when healthy, otherwise why not. */
type Verdict = string | undefined;

/**
 * Liveness: should the orchestrator restart this process? Only when a restart would help: the consumer
 * failed or stopped by itself (a fatal client error), or its poll loop stopped returning. A broker outage
 * is not a reason: a restarted process would find the brokers just as down, and the consumer reconnects
 * by itself (readiness reports the outage). While the consumer starts or stops, it is alive: `run()` and
 * `stop()` are bounded by their own timeouts.
 */
function liveness(health: HealthSnapshot, now: number): Verdict {
  if (health.state === 'failed' || health.state === 'stopped') return `consumer ${health.state}`;
  if (health.state !== 'running') return undefined;
  if (health.lastPollAt === undefined) return undefined; // running for less than one poll
  const sincePoll = now - health.lastPollAt.getTime();
  return sincePoll > pollStaleMs ? `no poll for ${sincePoll} ms` : undefined;
}

/**
 * Readiness: is this instance doing its work? It runs and its brokers answer. Readiness deliberately does
 * NOT require assigned partitions: a group can have more members than the topic has partitions, and those
 * spare members hold none but are healthy standbys that take over when another member goes away; during
 * every rebalance all members briefly hold none. Requiring partitions would flap readiness on each
 * rebalance and stall a rolling update (which waits for new instances to become ready) on a group that is
 * already fully assigned. The partitions, their lag and their pause reasons are in the JSON for dashboards.
 */
function readiness(health: HealthSnapshot): Verdict {
  if (health.state !== 'running') return `consumer ${health.state}`;
  if (!health.connected) return 'brokers not reachable';
  return undefined;
}

function answer(response: ServerResponse, verdict: Verdict, health: HealthSnapshot): void {
  // Dates become ISO strings in JSON; an unknown lag or position is left out.
  const body = JSON.stringify({
    status: verdict === undefined ? 'ok' : 'unavailable',
    reason: verdict,
    health,
  });
  response.writeHead(verdict === undefined ? 200 : 503, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
  response.end(body);
}

const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const path = (request.url ?? '/').split('?')[0];
  const health = consumer.health();
  if (request.method === 'GET' && path === '/livez') answer(response, liveness(health, Date.now()), health);
  else if (request.method === 'GET' && path === '/readyz') answer(response, readiness(health), health);
  else {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found: try /livez or /readyz\n');
  }
});

// ---------------------------------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------------------------------

let shuttingDown = false;

/** Stops the consumer (drain, commit, leave the group), then the HTTP server, then exits. */
async function shutDown(exitCode: number): Promise<never> {
  shuttingDown = true;
  try {
    // Resolves once the running handlers finished (or drainTimeoutMs passed), their positions were
    // committed and the client closed. The probes keep answering meanwhile: /readyz says 503 (stopping),
    // /livez says 200, so that the orchestrator does not kill the process in the middle of the drain.
    await consumer.stop();
  } catch (error) {
    console.error('stop failed:', isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : error);
    exitCode = 1;
  }
  // close() stops accepting connections and waits for the open ones; idle keep-alive connections would
  // hold it open, so they are closed too.
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
  });
  console.log(`stopped; exiting with code ${exitCode}`);
  // Exit explicitly: a forgotten timer or socket in application code must not keep a stopping pod alive.
  process.exit(exitCode);
}

function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    // The operator insists. What was not committed is handled again by the next owner of the partitions.
    console.error(`${signal} again: exiting without waiting for the drain`);
    // Raise the signal again with Node's default action: the process ends at once, as killed by that
    // signal (exit status 128 + its number). process.exit() would first wait for the Kafka client's native
    // threads, e.g. for a connect in progress.
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    process.kill(process.pid, signal);
    return;
  }
  console.log(`${signal}: stopping (send it again to exit at once)`);
  void shutDown(0);
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

// A fatal client error stops the consumer by itself. Exit non-zero, so that the orchestrator restarts the
// process at once instead of waiting for the liveness probe to notice.
consumer.on('stopped', () => {
  if (!shuttingDown) {
    console.error('the consumer stopped by itself; exiting');
    void shutDown(1);
  }
});

// ---------------------------------------------------------------------------------------------------
// Start: probes first (so that a slow start is visibly alive), then the consumer.
// ---------------------------------------------------------------------------------------------------

await new Promise<void>((resolve) => server.listen(port, resolve));
console.log(`health probes on http://localhost:${port}/livez and /readyz`);

try {
  await consumer.run({
    event: async (event, { signal }) => {
      // Stands in for the application's work. Pass `signal` on: it aborts when the handler runs past
      // handlerTimeoutMs, or when stop() gives up on the drain.
      await sleep(5, undefined, { signal });
      console.log(
        `handled ${event.topic}/${event.partition}@${event.offset}: ${event.deviceId} ${event.type}`,
      );
    },
  });
} catch (error) {
  // No broker within connectTimeoutMs, or the login was refused.
  console.error('could not start:', isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : error);
  await shutDown(1);
}
console.log('consumer running');
