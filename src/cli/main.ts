#!/usr/bin/env node
/**
 * The `eclipse-hono-kafka` executable: runs the command line with this process's streams, environment
 * and signals, and exits with the command's exit code.
 */
import { main } from './consume.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
  forceExit: (signal) => {
    // Without a listener the signal's default action applies: the process ends at once.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  },
});
