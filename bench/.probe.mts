import { HonoEventConsumer } from '/work/main/dist/index.js';
const [brokers, ordering, concurrency] = [
  process.argv[2]!,
  process.argv[3]! as 'device',
  Number(process.argv[4]),
];
const c = new HonoEventConsumer({
  brokers,
  tenant: 'exp1',
  groupId: 'p' + Math.random(),
  ordering,
  concurrency,
  logger: { debug() {}, info() {}, warn() {}, error: console.error },
});
let n = 0;
let first = 0;
const h = process.env.SYNC
  ? () => {
      if (n++ === 0) first = performance.now();
    }
  : async () => {
      if (n++ === 0) first = performance.now();
      await Promise.resolve();
    };
let maxHeld = 0;
let checks = 0;
let nonzero = 0;
const loop = () => {
  const h = c.health();
  const held = h.buffered + h.inFlight;
  checks++;
  if (held > 0) nonzero++;
  maxHeld = Math.max(maxHeld, held);
  if (n < 300000) setImmediate(loop);
};
if (process.env.LOOP) setImmediate(loop);
await c.run({ event: h, emptyNotification: h, connection: h, invalid: h });
while (n < 300000) await new Promise((r) => setTimeout(r, 5));
const s = (performance.now() - first) / 1000;
const u = process.resourceUsage();
console.log('maxHeld', maxHeld, 'checks', checks, 'nonzero', nonzero);
console.log(ordering, concurrency, Math.round(n / s), 'cpu', (u.userCPUTime + u.systemCPUTime) / 1e6);
await c.stop();
