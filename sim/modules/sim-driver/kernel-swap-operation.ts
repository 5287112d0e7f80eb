/*
 * The kernel swap operation: `swap kernel` to its other version, while the fixtures hold
 * callbacks, handles, namespaces and holds of each other, and calls are in flight.
 *
 * With no async init running and no swap of a module under way, the core is quiescent at
 * once, and the swap must succeed: the kernel's record is the new version's, every other
 * module the same record, the frames in use changed only by the two cores' text, and the
 * driver's log tap moves to the new core's log. With such work in flight the swap may also
 * roll back at its quiescence limit, and with no run of free frames long enough for the new
 * core's text (the hog holds them) it must roll back for memory; then nothing may have changed. The invariants checked
 * after every step then read the new core's tables; calls in flight settle through it.
 */
import { kernelInternals } from 'keel:kernel';
import { swap } from 'keel:swap';
import { expectChange } from './transitions.ts';
import { Violation } from './violation.ts';
import type { World } from './world.ts';

/** The other version of the kernel, or of `current` the one it swaps to. */
export function otherKernel(world: World, current: string): string {
  const versions = world.kernel.findRecords('kernel').map((record) => record.version);
  return versions.find((version) => version !== current) ?? current;
}

/** The most contiguous free frames: a new core's text needs that many (the hog may have taken the rest). */
function longestFreeRun(ownerOf: Int32Array): number {
  let longest = 0;
  let run = 0;
  for (const owner of ownerOf) {
    run = owner === 0 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

export async function kernelSwapOperation(world: World, to?: string): Promise<string> {
  const kernel = world.kernel;
  const old = kernel.self;
  const target = to ?? otherKernel(world, old.record.version);
  const busy = [...kernel.loader.modules.values()].some((module) => module.ready !== null || module.swapping);
  const before = world.snapshot();
  const free = kernel.frames.free;
  const newFrames = Math.max(1, Math.ceil(kernel.findRecord('kernel', target).size / 4096));
  const room = longestFreeRun(kernel.tables.frames.ownerOf);
  const report = await swap('kernel', target);
  const label = `swap kernel ${old.record.version} -> ${target}`;
  if (!report.ok) {
    const why = report.reason ?? '';
    const outOfMemory = / out of memory: /.test(why) && room < newFrames;
    if (!outOfMemory && !(busy && /not quiescent/.test(why))) throw new Violation('swap', `${label}: ${report.summary}`);
    expectChange(world, label, before, {});
    if (world.kernel.frames.free !== free) throw new Violation('frames', `${label} rolled back, and ${free - world.kernel.frames.free} frames are missing`);
    if (outOfMemory) world.trace.fault('out-of-memory');
    return `${label}: rolled back, ${outOfMemory ? 'out of memory' : 'not quiescent'}`;
  }
  expectChange(world, label, before, { replaced: ['kernel', target] });
  const now = kernelInternals();
  if (now === kernel || now.self.record.version !== target) throw new Violation('swap', `${label}: the core answering is ${now.self.record.version}`);
  const oldFrames = report.textFramesFreed;
  if (now.frames.free !== free + oldFrames - newFrames) throw new Violation('frames', `${label}: ${free} frames were free, ${now.frames.free} are, the cores' text is ${oldFrames} and ${newFrames} frames`);
  world.log.follow(now);
  world.observe();
  return `${label}: swapped, ${report.tablesTransferred} tables`;
}
