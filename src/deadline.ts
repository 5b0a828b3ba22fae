/** Waiting for something with a deadline. */

/**
 * Whether `work` settles (resolves or rejects) within `timeoutMs`. The timer is cleared either way.
 *
 * @param work - what to wait for
 * @param timeoutMs - how long to wait at most
 * @returns true when it settled in time, false when the deadline came first
 */
export async function settlesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return inTime;
}
