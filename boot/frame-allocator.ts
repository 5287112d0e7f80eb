/*
 * The frame allocator: every 4 KiB frame of physical memory is free or has exactly one owner.
 *
 * Owners are small numbers handed out by `createOwner` (firmware, the base kernel's text, a
 * module's text, a module's data ...); `allocate(count, owner)` finds a contiguous run,
 * `freeOwner(owner)` gives back everything one owner holds. Because ownership is recorded per
 * frame, "free + used = total" and "a module's frames all came back" are checked by counting,
 * not by trusting bookkeeping elsewhere.
 *
 * The table itself — one word per frame, the owner's id — lives in memory the machine hands the
 * kernel (the debug device's shared words), so that a debugger can read it while the kernel
 * runs; it names each owner id there as it creates it, and rings the device's doorbell once
 * the kernel's step that changed the table is over (a microtask), not at each change: a
 * debugger woken in the middle of a load would read the table and draw its picture on
 * another core while the load still runs, which on a busy machine slows the load (figure 8
 * of bench/). The table is data, not code: whichever code manages the frames works on the
 * same words.
 */
import { FRAME_SIZE, type DebugDevice, type MemoryRegion, type RegionKind } from '../emulator/machine-interface.ts';

export const FREE = 0;

/** Frames needed to hold `bytes`: at least one, so that every block has an owner's frame. */
export const framesFor = (bytes: number): number => Math.max(1, Math.ceil(bytes / FRAME_SIZE));

/** Boot regions keep the memory map's names; a module owns 'text' (its code) and 'data' frames. */
export type OwnerKind = Exclude<RegionKind, 'free'> | 'text' | 'data';

export interface FrameOwner {
  id: number;
  kind: OwnerKind;
  label: string;
  frames: number;
}

/** Not enough contiguous free frames: nothing was allocated. */
export class OutOfMemoryError extends Error {
  override name = 'OutOfMemoryError';
}

/** The memory the frame table lives in, with its doorbell, and where owner ids are named: the machine's debug device. */
export type FrameTableMemory = Pick<DebugDevice, 'frameTable' | 'doorbell' | 'nameOwner' | 'forgetOwner'>;

export class FrameAllocator {
  readonly total: number;
  readonly #owners = new Map<number, FrameOwner>();
  readonly #ownerOf: Int32Array;
  readonly #table: FrameTableMemory;
  #freeFrames: number;
  #nextOwner = 1;
  #ringPending = false;

  /** `table.frameTable` holds one word per frame of `memoryBytes`, all free (zero). */
  constructor(memoryBytes: number, table: FrameTableMemory) {
    this.total = memoryBytes / FRAME_SIZE;
    this.#table = table;
    this.#ownerOf = table.frameTable;
    this.#freeFrames = this.total;
  }

  get free(): number {
    return this.#freeFrames;
  }

  createOwner(kind: OwnerKind, label: string): FrameOwner {
    const owner = { id: this.#nextOwner++, kind, label, frames: 0 };
    this.#owners.set(owner.id, owner);
    this.#table.nameOwner(owner.id, kind, label);
    return owner;
  }

  /** Marks a region of the boot memory map as owned (firmware, kernel image, initrd). */
  reserve(region: MemoryRegion, owner: FrameOwner): void {
    this.#mark(region.start / FRAME_SIZE, region.length / FRAME_SIZE, owner);
  }

  /** Allocates `count` contiguous frames; returns the first frame number. */
  allocate(count: number, owner: FrameOwner): number {
    const first = this.#findRun(count);
    if (first === undefined) {
      throw new OutOfMemoryError(`out of memory: ${owner.label} needs ${count} frames, ${this.#freeFrames} free`);
    }
    this.#mark(first, count, owner);
    return first;
  }

  /** Frees a run of frames that `owner` holds; checks the whole run before changing anything. */
  release(first: number, count: number, owner: FrameOwner): void {
    for (let frame = first; frame < first + count; frame++) {
      if (this.#ownerOf[frame] !== owner.id) throw new Error(`frame ${frame} is not owned by ${owner.label}`);
    }
    this.#ownerOf.fill(FREE, first, first + count);
    this.#freeFrames += count;
    owner.frames -= count;
    this.#changed();
  }

  /** Frees every frame the owner holds and forgets the owner. Returns how many were freed. */
  freeOwner(owner: FrameOwner): number {
    let freed = 0;
    for (let frame = 0; frame < this.total && owner.frames > freed; frame++) {
      if (this.#ownerOf[frame] === owner.id) {
        this.#ownerOf[frame] = FREE;
        freed++;
      }
    }
    this.#freeFrames += freed;
    owner.frames = 0;
    this.#owners.delete(owner.id);
    this.#changed();
    this.#table.forgetOwner(owner.id);
    return freed;
  }

  /** Gives every frame of `from` to `to` (a swapped-in version takes over its module's data). */
  transfer(from: FrameOwner, to: FrameOwner): void {
    for (let frame = 0; frame < this.total; frame++) if (this.#ownerOf[frame] === from.id) this.#ownerOf[frame] = to.id;
    to.frames += from.frames;
    from.frames = 0;
    this.#changed();
  }

  /** Live owners, for `free` and for accounting checks. */
  ownerList(): FrameOwner[] {
    return [...this.#owners.values()];
  }

  #mark(first: number, count: number, owner: FrameOwner): void {
    this.#ownerOf.fill(owner.id, first, first + count);
    this.#freeFrames -= count;
    owner.frames += count;
    this.#changed();
  }

  /** Rings the doorbell once this step of the kernel is over: a reader waiting on it reads the table again. */
  #changed(): void {
    if (this.#ringPending) return;
    this.#ringPending = true;
    void Promise.resolve().then(() => {
      this.#ringPending = false;
      Atomics.add(this.#table.doorbell, 0, 1);
      Atomics.notify(this.#table.doorbell, 0);
    });
  }

  /** First fit: the lowest run of `count` free frames. */
  #findRun(count: number): number | undefined {
    let runStart = 0;
    for (let frame = 0; frame < this.total; frame++) {
      if (this.#ownerOf[frame] !== FREE) runStart = frame + 1;
      else if (frame - runStart + 1 === count) return runStart;
    }
    return undefined;
  }
}
