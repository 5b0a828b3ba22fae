/**
 * Runs one measurement in a process of its own, so that heap, CPU time and peak RSS belong to it alone.
 * A worker prints progress on stderr and its result as the last line of stdout, in JSON.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Runs `bench/workers/<worker>.ts` with `config` and returns the JSON it printed last. */
export async function runWorker<Result>(
  worker: string,
  config: unknown,
  options: { readonly timeoutMs: number; readonly onLine?: (line: string) => void },
): Promise<Result> {
  const script = fileURLToPath(new URL(`../workers/${worker}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) options.onLine?.(line);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`worker ${worker} exited with ${String(code)}; last line: ${last}`);
  return JSON.parse(last) as Result;
}

/** What every worker measures about its own process. */
export interface ProcessFigures {
  /** User plus system CPU time of the whole process (JavaScript and the client's native threads). */
  readonly cpuSeconds: number;
  /** Peak resident set size. */
  readonly peakRssMb: number;
  /**
   * CPU time of the main thread alone (JavaScript, and the client binding's work on that thread, e.g.
   * making each record's objects); undefined where `/proc` does not tell. The rest of `cpuSeconds` is the
   * client's own threads (librdkafka's, the binding's workers) and the runtime's (garbage collection
   * helpers).
   */
  readonly mainThreadCpuSeconds?: number | undefined;
}

/** CPU time and peak RSS of this process so far. */
export function processFigures(): ProcessFigures {
  const usage = process.resourceUsage();
  return {
    cpuSeconds: round((usage.userCPUTime + usage.systemCPUTime) / 1e6, 2),
    peakRssMb: round(usage.maxRSS / 1024, 1),
    mainThreadCpuSeconds: mainThreadCpuSeconds(),
  };
}

/** The main thread's user plus system CPU time from `/proc/self/task/<pid>/stat` (Linux), in seconds. */
function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${String(process.pid)}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) in parentheses: utime and stime are the
    // 12th and 13th, in clock ticks (100 per second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? round(ticks / 100, 2) : undefined;
  } catch {
    return undefined;
  }
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The `p`th percentile (0-100) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Prints a worker's result as the last stdout line. */
export function report(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
