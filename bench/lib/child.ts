/**
 * Runs one measurement in a process of its own, so that heap, CPU time and peak RSS belong to it alone.
 * A worker prints progress on stderr and its result as the last line of stdout, in JSON.
 */
import { spawn } from 'node:child_process';
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
}

/** CPU time and peak RSS of this process so far. */
export function processFigures(): ProcessFigures {
  const usage = process.resourceUsage();
  return {
    cpuSeconds: round((usage.userCPUTime + usage.systemCPUTime) / 1e6, 2),
    peakRssMb: round(usage.maxRSS / 1024, 1),
  };
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
