/**
 * `npm run kafka:start|kafka:stop|kafka:status`: a local broker that outlives the command, for manual work.
 *
 *   kafka:start [--nodes 3] [--sasl] [--tls] [--version 3.9]   starts it and prints KAFKA_BOOTSTRAP_SERVERS
 *                                                      (--tls: SSL and SASL_SSL listeners, KAFKA_SSL_* variables)
 *   kafka:stop [--all]                                 stops it; --all also stops any leftover harness JVM
 *   kafka:status                                       prints what runs
 *
 * The running cluster is recorded in `.kafka/state.json` of this checkout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { releaseFromEnv } from './distribution.js';
import { KafkaCluster, type KafkaClusterInfo } from './kafka-cluster.js';
import { harnessMarker, processAlive } from './kafka-node.js';

const stateFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.kafka', 'state.json');
const saslUser = { name: 'hono-app', password: 'hono-secret' };

async function readState(): Promise<KafkaClusterInfo | undefined> {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(await readFile(stateFile, 'utf8')) as KafkaClusterInfo;
}

async function waitGone(pids: readonly number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(processAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Every JVM any harness started, found by the marker on its command line. */
function harnessJvmPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', `-D${harnessMarker}=`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

async function terminate(pids: readonly number[]): Promise<void> {
  for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGTERM');
  if (!(await waitGone(pids, 10_000))) {
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitGone(pids, 5_000);
  }
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      nodes: { type: 'string', default: '1' },
      sasl: { type: 'boolean' },
      tls: { type: 'boolean' },
      version: { type: 'string' },
    },
  });
  const state = await readState();
  if (state?.pids.some(processAlive) === true) {
    console.log(`Already running: KAFKA_BOOTSTRAP_SERVERS=${state.bootstrapServers}`);
    return;
  }
  const nodes = values.nodes === '3' ? 3 : 1;
  const cluster = await KafkaCluster.start({
    nodes,
    release: releaseFromEnv(values.version),
    sasl: values.sasl === true ? { users: [saslUser] } : undefined,
    tls: values.tls === true,
    ownerPid: null,
    log: (line) => {
      console.error(line);
    },
  });
  await mkdir(dirname(stateFile), { recursive: true });
  await writeFile(stateFile, JSON.stringify(cluster.info(), null, 2));
  console.log(`KAFKA_BOOTSTRAP_SERVERS=${cluster.bootstrapServers}`);
  if (cluster.saslBootstrapServers !== undefined) {
    console.log(`KAFKA_SASL_BOOTSTRAP_SERVERS=${cluster.saslBootstrapServers}`);
    console.log(`KAFKA_SASL_USERNAME=${saslUser.name}`);
    console.log(`KAFKA_SASL_PASSWORD=${saslUser.password}`);
  }
  const tls = cluster.tls;
  if (tls !== undefined) {
    // The variables the integration tests read for an external broker (test/integration/kafka-env.ts).
    console.log(`KAFKA_SSL_BOOTSTRAP_SERVERS=${tls.sslBootstrapServers}`);
    if (tls.saslSslBootstrapServers !== undefined)
      console.log(`KAFKA_SASL_SSL_BOOTSTRAP_SERVERS=${tls.saslSslBootstrapServers}`);
    console.log(`KAFKA_SSL_CA_LOCATION=${tls.caFile}`);
    console.log(`KAFKA_SSL_OTHER_CA_LOCATION=${tls.otherCaFile}`);
    console.log(`KAFKA_SSL_OTHER_HOST_BOOTSTRAP_SERVERS=${tls.otherHostBootstrapServers}`);
  }
}

async function stop(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { all: { type: 'boolean' } } });
  const state = await readState();
  if (state !== undefined) {
    await terminate(state.pids);
    await rm(state.dataDir, { recursive: true, force: true });
    await rm(stateFile, { force: true });
    console.log(`Stopped the broker at ${state.bootstrapServers}`);
  }
  if (values.all === true) {
    const leftovers = harnessJvmPids();
    if (leftovers.length > 0) {
      await terminate(leftovers);
      console.log(`Stopped ${leftovers.length} leftover harness JVM(s): ${leftovers.join(', ')}`);
    }
  } else if (state === undefined) {
    console.log('No broker started by kafka:start is recorded.');
  }
}

async function status(): Promise<void> {
  const state = await readState();
  if (state === undefined) console.log('No broker started by kafka:start is recorded.');
  else {
    const up = state.pids.filter(processAlive);
    console.log(`${state.bootstrapServers}: ${up.length}/${state.pids.length} node(s) running`);
  }
  const all = harnessJvmPids();
  console.log(`Harness JVMs running on this machine: ${all.length === 0 ? 'none' : all.join(', ')}`);
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = { start, stop, status };
const action = command === undefined ? undefined : commands[command];
if (action === undefined) {
  console.error(
    'usage: cli.ts start [--nodes 1|3] [--sasl] [--tls] [--version 4.1|3.9] | stop [--all] | status',
  );
  process.exitCode = 2;
} else {
  action(rest).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
