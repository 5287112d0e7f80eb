/*
 * Figure 8 — the web page attached. The machine a page shows must not be slower for it:
 * figure 4's call cost and figure 3's load latency, measured in a machine that a page in
 * Chromium watches (npm run web's server, in this process, the map, module table and chart
 * drawing live) against the same measurement in a machine in a worker thread that nobody
 * watches (bench/lib/thread-session.ts), and in a third that the server's picture watches with
 * no browser. Each round boots the three afresh, and every step of the measurement runs in
 * each of them in turn before the next step, the others idle meanwhile.
 *
 * The calls are measured once the machine has been idle a tenth of a second after the command
 * that asks for them, on both sides: what the row compares is the call, not the browser drawing
 * the line just typed on the same two cores (that is the typed loads' subject, below).
 *
 * Loads are measured twice: loads the kernel makes one after another in one command, a tenth
 * of a second apart so that the page draws each before the next (the picture's own cost), and
 * loads typed one by one, as figure 3 types them — into the page's terminal on one side, at a
 * plain console on the other. A typed load is timed four ways: the load by the kernel's clock;
 * the machine thread's share, from the line's arrival in that thread to its asking for the next
 * (that thread's own clock, and its wait for a CPU: ToHost's read, LineWork); the line's way from the watching thread's
 * hand to the machine thread and the ask's way back (that thread's clock, less the machine's:
 * PageSession.lastLine); and the whole, from Enter to the result drawn (this process's clock and
 * the page's), which adds the keys' way to the server, the server's work and the page drawing
 * the answer. At the plain console the whole is the line typed to the prompt back.
 *
 * Then the page's own pace under a load/unload loop (each load and each unload a step of the
 * kernel, as modprobe and rmmod typed one after another are): updates it draws a second, the
 * frame cells they change, and the delay from a change of the frame table (the doorbell at the
 * end of the kernel's step) to the page's `drawn` for the update carrying it, which adds that
 * message's trip back. Machines of 64 MiB, as figures 3 and 4 boot.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, PROJECT_ROOT } from '../../build.ts';
import { sharedBytes } from '../../emulator/built-files.ts';
import { launchBrowser, type Browser } from '../../test/browser.ts';
import { openKeel } from '../../test/web-page.ts';
import { bundlePage } from '../../web/server/page-assets.ts';
import { WebServer } from '../../web/server/web-server.ts';
import { MemoryPicture } from '../../web/watcher/memory-picture.ts';
import { compare, keelOnly, withFloor, type Figure, type FigureOptions, type Row } from '../lib/figure.ts';
import { codeModule, temporaryDirectory, writeModules } from '../lib/generate-modules.ts';
import { BENCH_FIXTURES } from '../lib/kernel-session.ts';
import { median } from '../lib/statistics.ts';
import { startThreadSession } from '../lib/thread-session.ts';
import type { LineWork } from '../../emulator/machine-messages.ts';

const MEMORY_BYTES = 64 * 1024 * 1024;
const SIZES = [
  { label: '1 KB', bytes: 1024 },
  { label: '100 KB', bytes: 100 * 1024 },
];
/** Milliseconds between the loads the kernel makes in one command: the page's median delay is a few tens. */
const WATCHED_GAP_MS = 100;
/**
 * How long the machine has been idle before each typed load, on both sides. A load that comes
 * at once after the last prompt runs on a warm machine; one that comes after a pause (all a
 * page's are: the browser draws the prompt, the keys are typed and drawn) runs on a colder
 * one and takes up to twice as long with no page at all. Both sides wait the same, so the row
 * compares the page, not the pause.
 */
const TYPED_IDLE_MS = 100;
/** How long the machine is idle before it measures calls, on both sides: the page has drawn the command's line by then. */
const CALL_SETTLE_MS = 100;
const idle = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
/** A page in Chromium watching; nobody; the server's picture alone, every update acknowledged at once (a debugger attached, no browser). */
const SIDES = ['page', 'bare', 'server'] as const;
type Side = (typeof SIDES)[number];
type Loading = 'watched' | 'typed';

interface Plan {
  machineRounds: number;
  calls: number;
  callRounds: number;
  /** Bursts of `callRounds` rounds each machine times its calls in; the least counts (bench-caller's measure says why). */
  callBursts: number;
  copies: number;
  loopSeconds: number;
  /** The ~1 µs function's loop length, once the first machine has calibrated it. */
  spinIterations?: number;
}

/**
 * Where a typed command's time went, in ms: the whole, from Enter to the result shown; the
 * machine thread's share of it, from the line's arrival in that thread to its asking for the
 * next (the answer sent), by the machine thread's own clock — and of that, the time it was
 * runnable but waited for a CPU (`waiting`: the other threads and processes on the same two
 * cores; LineWork), and the rest (`own`: what the machine itself took); and the line's way to the machine
 * thread and its answer's way back, the watching thread's (`relay`: from the line handed to the
 * machine's console to the ask arriving, by that thread's clock, less the machine thread's
 * share). A page's also has the keys' way to the server, the server's, and the page's drawing of
 * the answer; at a plain console those are none, and the whole is the line typed to the prompt.
 */
interface Shares {
  whole: number;
  machine: number;
  own: number;
  waiting: number;
  relay: number;
  toServer: number;
  server: number;
  drawn: number;
}
const SHARES = ['whole', 'machine', 'own', 'waiting', 'relay', 'toServer', 'server', 'drawn'] as const;

/**
 * What one machine measured: stub ns per call by function; load ms by size, each way of
 * loading, as the kernel's clock has it and less the machine thread's wait for a CPU meanwhile
 * (`ownLoads`; NaN where the host cannot tell); and each typed load's shares.
 */
interface Measured {
  calls: Record<string, number>;
  loads: Record<Loading, number[][]>;
  ownLoads: Record<Loading, number[][]>;
  shares: Shares[][];
}

/** A console the figure types at: a line in, what it printed out; and where the last line's time went. */
interface Console {
  run(line: string): Promise<string>;
  shares(): Shares;
}

const prefix = (side: Side, round: number, loading: Loading | 'warm', size = 0) => `web-${side}-${round}-${loading}-${size}`;

/**
 * Untimed loads of each size before its timed ones: a fresh machine's first loads of 100 KB
 * take up to twice as long as its fifth and later, on every side alike — with five timed
 * copies and no warm-up, that trend decided the median.
 */
const WARM_UP_LOADS = 4;

/** Every module the figure loads: on each side, each round, warm-ups and distinct copies of each size, both ways. */
function generatedModules(plan: Plan) {
  const modules: Array<{ name: string; source: string }> = [];
  for (const side of SIDES) {
    for (let round = 0; round < plan.machineRounds; round++) {
      modules.push(codeModule(`${prefix(side, round, 'warm')}-0`, 1024, modules.length));
      for (const [size, { bytes }] of SIZES.entries()) {
        for (let copy = 1; copy <= WARM_UP_LOADS; copy++) modules.push(codeModule(`${prefix(side, round, 'warm', size)}-${copy}`, bytes, modules.length));
      }
      for (const loading of ['watched', 'typed'] as const) {
        for (const [size, { bytes }] of SIZES.entries()) {
          for (let copy = 0; copy < plan.copies; copy++) modules.push(codeModule(`${prefix(side, round, loading, size)}-${copy}`, bytes, modules.length));
        }
      }
    }
  }
  return modules;
}

/** A machine of one side, booted and at its prompt: its console, and how to end it. */
interface OpenMachine {
  side: Side;
  console: Console;
  close(): Promise<void>;
}

/** A line's printed JSON, or an error that quotes what was printed instead. */
async function parsed<Result>(machineConsole: Console, line: string): Promise<Result> {
  const output = await machineConsole.run(line);
  try {
    return JSON.parse(output) as Result;
  } catch {
    throw new Error(`${line} printed: ${output}`);
  }
}

/**
 * Runs the measurements in the round's machines, each step in every machine in turn before the
 * next step, so that what the shared cores do from second to second (a CPU of these machines
 * runs compiled code at about half its speed for seconds at a time: bench-caller's measure)
 * weighs on every side alike. The other machines idle meanwhile.
 */
async function measureInTurns(machines: OpenMachine[], plan: Plan, round: number): Promise<Record<Side, Measured>> {
  const empty = (): Measured => ({ calls: {}, loads: { watched: [], typed: [] }, ownLoads: { watched: [], typed: [] }, shares: [] });
  const measured: Record<Side, Measured> = { page: empty(), bare: empty(), server: empty() };
  const inTurn = async (step: (machine: OpenMachine, into: Measured) => Promise<unknown>) => {
    for (const machine of machines) await step(machine, measured[machine.side]);
  };
  await inTurn(({ side, console: machineConsole }) => parsed(machineConsole, `call bench-loader time ${prefix(side, round, 'warm')}-0`));
  // The first machine calibrates the ~1 µs function; every other runs the loop it found, so that all time the same work.
  await inTurn(async ({ console: machineConsole }, into) => {
    const { spinIterations, results } = await parsed<{ spinIterations: number; results: Record<string, { stub: number }> }>(machineConsole, `call bench-caller measure ${plan.calls} ${plan.callRounds} ${plan.spinIterations ?? 0} ${CALL_SETTLE_MS} ${plan.callBursts}`);
    plan.spinIterations ??= spinIterations;
    into.calls = Object.fromEntries(Object.entries(results).map(([name, cost]) => [name, cost.stub]));
  });
  for (const size of SIZES.keys()) {
    await inTurn(async ({ side, console: machineConsole }, into) => {
      for (let copy = 1; copy <= WARM_UP_LOADS; copy++) await parsed(machineConsole, `call bench-loader time ${prefix(side, round, 'warm', size)}-${copy}`);
      const watched = await parsed<{ load: number[]; loadWaiting: number[] }>(machineConsole, `call bench-loader timeEach ${prefix(side, round, 'watched', size)} ${plan.copies} ${WATCHED_GAP_MS}`);
      into.loads.watched.push(watched.load);
      into.ownLoads.watched.push(watched.load.map((load, copy) => load - watched.loadWaiting[copy]!));
      into.loads.typed.push([]);
      into.ownLoads.typed.push([]);
      into.shares.push([]);
    });
    for (let copy = 0; copy < plan.copies; copy++) {
      await inTurn(async ({ side, console: machineConsole }, into) => {
        await idle(TYPED_IDLE_MS);
        const typed = await parsed<{ load: number; loadWaiting: number }>(machineConsole, `call bench-loader time ${prefix(side, round, 'typed', size)}-${copy}`);
        into.loads.typed[size]!.push(typed.load);
        into.ownLoads.typed[size]!.push(typed.load - typed.loadWaiting);
        into.shares[size]!.push(machineConsole.shares());
      });
    }
  }
  return measured;
}

/** The page's pace while the kernel loads and unloads a module as fast as it can, for `seconds` (and ten updates at least). */
async function pageUnderLoop(server: WebServer, run: (line: string) => Promise<string>, seconds: number) {
  const { statistics } = [...server.sessions][0]!.picture;
  const before = { updates: statistics.updates, framesRedrawn: statistics.framesRedrawn, delays: statistics.delays.length };
  const started = performance.now();
  let cycles = 0;
  // At least a few updates, however slowly the machine runs: the delay is a median.
  while (performance.now() - started < seconds * 1000 || statistics.delays.length - before.delays < 10) cycles += Number(await run('call bench-loader cycleSteps churn 50'));
  const elapsed = (performance.now() - started) / 1000;
  const delays = statistics.delays.slice(before.delays).sort((a, b) => a - b);
  return {
    cycles: cycles / elapsed,
    updates: (statistics.updates - before.updates) / elapsed,
    frames: (statistics.framesRedrawn - before.framesRedrawn) / elapsed,
    delayMedian: median(delays),
    delay95: delays[Math.min(delays.length - 1, Math.floor(delays.length * 0.95))]!,
    samples: delays.length,
  };
}

/** The machine thread's part of a line's shares (NaN where this host cannot read the thread's wait for a CPU: no row of it then). */
const machineWork = (work: LineWork) => ({ machine: work.ms, own: work.ms - (work.waitingMs ?? NaN), waiting: work.waitingMs ?? NaN });

/** The server's picture of a machine, as for a page, but drawn at once: what watching costs the machine, with no browser on the cores. */
function serverWatcher(): MemoryPicture {
  const picture: MemoryPicture = new MemoryPicture({ send: (update) => queueMicrotask(() => picture.drawn(update.sequence)), log: () => {} });
  return picture;
}

/** Boots a machine of `side`: in a worker thread, watched by nobody or by the server's picture; or the page's, npm run web's in Chromium. */
async function openMachine(side: Side, context: { image: Uint8Array; initrd: Uint8Array; server: WebServer; url: string; browser: Browser }): Promise<OpenMachine> {
  if (side !== 'page') {
    const watcher = side === 'server' ? serverWatcher() : undefined;
    const thread = await startThreadSession(context.image, context.initrd, MEMORY_BYTES, watcher);
    let whole = 0;
    const run = async (line: string) => {
      const typed = performance.now();
      const output = await thread.run(line);
      whole = performance.now() - typed;
      return output;
    };
    const shares = (): Shares => {
      const work = thread.lastWork()!;
      return { whole, ...machineWork(work), relay: whole - work.ms, toServer: 0, server: 0, drawn: 0 };
    };
    return { side, console: { run, shares }, close: () => thread.powerOff() };
  }
  const keel = await openKeel(context.browser.context, context.url);
  const run = async (line: string) => (await keel.run(line)).join('');
  const session = [...context.server.sessions][0]!;
  const shares = (): Shares => {
    const { pressed, drawn } = keel.lastEnter;
    const { keys, typed, answered, work } = session.lastLine;
    return { whole: drawn - pressed, ...machineWork(work!), relay: answered - typed - work!.ms, toServer: keys - pressed, server: typed - keys, drawn: drawn - answered };
  };
  const close = async () => {
    await keel.page.close();
    await session.ended;
  };
  return { side, console: { run, shares }, close };
}

export async function webPage({ quick }: FigureOptions): Promise<Figure> {
  const plan: Plan = quick
    ? { machineRounds: 1, calls: 50_000, callRounds: 3, callBursts: 2, copies: 2, loopSeconds: 1 }
    : { machineRounds: 3, calls: 300_000, callRounds: 5, callBursts: 3, copies: 8, loopSeconds: 5 };
  const root = temporaryDirectory('web');
  try {
    const outDir = path.join(root, 'dist');
    const moduleDirs = [path.join(PROJECT_ROOT, 'modules'), path.join(PROJECT_ROOT, 'test/fixtures/modules'), BENCH_FIXTURES, ...writeModules(root, generatedModules(plan))];
    await build({ moduleDirs, outDir, quiet: true });
    const image = readFileSync(path.join(outDir, 'boot.img'));
    // In shared memory, as npm run web reads it (emulator/built-files.ts): every machine maps it, none copies it.
    const initrd = sharedBytes(readFileSync(path.join(outDir, 'initrd.cpio')));
    const server = new WebServer({ machine: { image, initrd, memoryBytes: MEMORY_BYTES, cmdline: 'init=shell quiet', watchdogSeconds: 10 }, assets: await bundlePage(), maxMachines: 1, log: () => {} });
    const { url } = await server.listen(0, '127.0.0.1');
    const browser = await launchBrowser();
    const measured: Record<Side, Measured[]> = { page: [], bare: [], server: [] };
    let loop: Awaited<ReturnType<typeof pageUnderLoop>> | undefined;
    for (let round = 0; round < plan.machineRounds; round++) {
      // Each side goes first in turn, so that none always meets the cores a little warmer.
      const machines: OpenMachine[] = [];
      for (const side of [...SIDES.slice(round % SIDES.length), ...SIDES.slice(0, round % SIDES.length)]) machines.push(await openMachine(side, { image, initrd, server, url, browser }));
      const inRound = await measureInTurns(machines, plan, round);
      for (const side of SIDES) measured[side].push(inRound[side]);
      // The page's pace, once, with the other machines of the round already gone.
      const page = machines.find((machine) => machine.side === 'page')!;
      for (const machine of machines) if (machine !== page) await machine.close();
      loop ??= await pageUnderLoop(server, page.console.run, plan.loopSeconds);
      await page.close();
    }
    await browser.close();
    await server.close();
    const both = (value: (machine: Measured) => number[]) => ({ page: median(measured.page.flatMap(value)), bare: median(measured.bare.flatMap(value)), server: median(measured.server.flatMap(value)) });
    // The floor is the unwatched machine itself: the same work with nobody watching is the most a watched machine can do.
    const callRow = (label: string, name: string) => {
      const { page, bare } = both((machine) => [machine.calls[name]!]);
      return withFloor(compare(`call, ${label}`, page, bare, 'ns/call', plan.machineRounds, `through a stub, as figure 4, after ${CALL_SETTLE_MS} ms idle, the least of ${plan.callBursts} bursts in each machine; the median over ${plan.machineRounds} ${plan.machineRounds === 1 ? 'machine' : 'machines'} a side`), bare);
    };
    const loadRows = (loading: Loading, size: number, note: string): Row[] => {
      const label = `load ${SIZES[size]!.label}, ${loading === 'watched' ? 'the page watching' : 'typed into the page'}`;
      const runs = plan.machineRounds * plan.copies;
      const { page, bare } = both((machine) => machine.loads[loading][size]!);
      const own = both((machine) => machine.ownLoads[loading][size]!);
      const waited = both((machine) => machine.loads[loading][size]!.map((load, copy) => load - machine.ownLoads[loading][size]![copy]!));
      return [
        withFloor(compare(label, page, bare, 'ms', runs, note), bare),
        ...(Number.isNaN(own.page) ? [] : [withFloor(compare(`${label}, less the machine thread’s wait for a CPU`, own.page, own.bare, 'ms', runs, `the same loads, each less the time the machine’s thread was ready to run but waited for a CPU meanwhile (the host device’s cpuWaitMs: Linux’s schedstat, read by the thread before and after the load): what the machine did, without what Chromium and the server took of the two cores; the wait’s median ${waited.page.toFixed(2)} ms with the page, ${waited.bare.toFixed(2)} ms without`), own.bare)]),
      ];
    };
    const share = (size: number, name: (typeof SHARES)[number]) => both((machine) => machine.shares[size]!.map((shares) => shares[name]));
    const shareRows = (size: number): Row[] => {
      const runs = plan.machineRounds * plan.copies;
      const label = SIZES[size]!.label;
      const machine = share(size, 'machine');
      const [own, waiting] = [share(size, 'own'), share(size, 'waiting')];
      const relay = share(size, 'relay');
      const whole = share(size, 'whole');
      const [toServer, server, drawn] = (['toServer', 'server', 'drawn'] as const).map((name) => share(size, name).page.toFixed(1));
      return [
        withFloor(compare(`load ${label} typed, the machine thread’s share, the server watching, no browser`, machine.server, machine.bare, 'ms', runs, 'the same span in a machine the server’s picture watches (a debugger attached, its reports and doorbell heard, every update taken at once) with no browser on the cores: what being watched costs the machine itself'), machine.bare),
        withFloor(compare(`load ${label} typed, the machine thread’s share`, machine.page, machine.bare, 'ms', runs, `from the line’s arrival in the machine’s thread to its asking for the next, the answer sent, by that thread’s clock; of it, waiting for a CPU while runnable (the other threads and processes on the two cores): ${waiting.page.toFixed(2)} ms with the page, ${waiting.bare.toFixed(2)} ms without (medians)`), machine.bare),
        ...(Number.isNaN(own.page) ? [] : [withFloor(compare(`load ${label} typed, the machine thread’s share less its wait for a CPU`, own.page, own.bare, 'ms', runs, 'the same span, less the time the thread was runnable but no CPU ran it (Linux’s /proc/thread-self/schedstat, read by the thread itself): what the machine did, without what the cores’ other work cost it'), own.bare)]),
        compare(`load ${label} typed, the line’s way to the machine thread and back`, relay.page, relay.bare, 'ms', runs, 'the watching thread’s: from the line handed to the machine’s console to the ask for the next arriving, less the machine thread’s share (the page’s: the server’s main thread, which also reads the frame table and sends the picture)'),
        withFloor(compare(`load ${label} typed, Enter to the result shown`, whole.page, whole.bare, 'ms', runs, `the whole: Enter to the server ${toServer} ms, the server ${server} ms, the machine, its answer to the page drawing it ${drawn} ms (medians); at the plain console the machine’s share`), whole.bare),
      ];
    };
    const pace = loop!;
    const rows: Row[] = [
      callRow(`~1 µs function (loop of ${plan.spinIterations})`, 'spin'),
      callRow('trivial function', 'trivial'),
      callRow('async function, awaited', 'asynchronous'),
      ...[...SIZES.keys()].flatMap((size) => loadRows('watched', size, `one command, loads ${WATCHED_GAP_MS} ms apart, each drawn before the next; each a distinct copy`)),
      ...[...SIZES.keys()].flatMap((size) => loadRows('typed', size, `the machine’s share: the load by the kernel’s clock, one command a load, as figure 3, each after ${TYPED_IDLE_MS} ms idle: into the page’s terminal vs a plain console`)),
      ...[...SIZES.keys()].flatMap(shareRows),
      keelOnly('page updates drawn under a load/unload loop', pace.updates, 'updates/s', 1, `${Math.round(pace.cycles).toLocaleString('en-US')} load/unload cycles/s; ${Math.round(pace.frames).toLocaleString('en-US')} frame cells redrawn/s`),
      keelOnly('delay from a frame change to the picture, median', pace.delayMedian, 'ms', pace.samples, `95th percentile ${pace.delay95.toFixed(1)} ms; the doorbell to the page's drawn, which adds its trip back`),
    ];
    return { number: 8, id: 'web-page', title: 'The web page attached', baseline: 'the same machine in a worker thread, no page (as npm start)', floor: 'the unwatched machine: the baseline itself', rows };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
