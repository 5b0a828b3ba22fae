/**
 * Node.js child processes for integration tests (examples, README snippets): started in the project's
 * root, everything they print collected, and killed by {@link killAll} when a test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project's root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** A process running to its end, with everything it printed. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  readonly output: () => string;
  /** Resolves with the exit code (`null` when a signal ended it). */
  readonly exited: Promise<number | null>;
}

const started: RunningProcess[] = [];

/**
 * Starts `node <args>` in the project's root.
 *
 * @param args - Node's arguments, e.g. `['--import', 'tsx', 'examples/x.ts']`
 * @param env - variables added to this process's environment
 * @returns the running process
 */
export function startNode(args: readonly string[], env: Record<string, string> = {}): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const running = { child, output: () => output, exited };
  started.push(running);
  return running;
}

/**
 * Waits until a condition holds; fails when the process ends first or the deadline passes, showing what
 * it printed.
 *
 * @param running - the process
 * @param condition - checked every 50 ms
 * @param what - the awaited state, for the failure message
 * @param timeoutMs - the deadline
 */
export async function waitUntil(
  running: RunningProcess,
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline || running.child.exitCode !== null) {
      throw new Error(`${what}: not reached; the process printed:\n${running.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGKILLs every process started since the last call that is still running, and waits for them. */
export async function killAll(): Promise<void> {
  for (const running of started.splice(0)) {
    if (running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
  }
}
