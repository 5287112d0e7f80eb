/*
 * The frame allocator: every 4 KiB frame of physical memory is free or has exactly one owner.
 *
 *   const frames = new FrameAllocator(frameTable(machine.debug.frameTable), machine.debug, nextFit);
 *
 * Owners are small numbers handed out by `createOwner` (firmware, the bootstrap, a module's
 * text, a module's data ...); `allocate(count, owner)` finds a contiguous run,
 * `freeOwner(owner)` gives back everything one owner holds. Because ownership is recorded per
 * frame, "free + used = total" and "a module's frames all came back" are checked by counting,
 * not by trusting bookkeeping elsewhere.
 *
 * What it knows is a FrameTable of plain data — one owner id a frame in an Int32Array, the
 * owners, the free count — which the allocator works on and does not own: another version of
 * the kernel can take the same table over. The array is the debug device's shared memory, so
 * that a debugger (the web page's server) reads it while the kernel runs; the allocator names
 * each owner id on the device as it creates it, and rings the device's doorbell once the
 * kernel's step that changed the table is over (a microtask), not at each change: a debugger
 * woken in the middle of a load would read the table and draw its picture on another core
 * while the load still runs, which on a busy machine slows the load (figure 8 of bench/).
 */
import { FRAME_SIZE, type DebugDevice, type MemoryRegion, type RegionKind } from '../../emulator/machine-interface.ts';
import { OutOfMemoryError } from './error-classes.ts';

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

export { OutOfMemoryError };

/**
 * Where a run of `count` free frames is found: the first-fit policy (frame-allocator.first-fit.ts,
 * kernel 1.0.0) or next-fit (frame-allocator.next-fit.ts, 1.1.0). A policy keeps what it needs
 * in the table (next-fit's rover), so that a kernel swap to the other policy loses nothing.
 * Policies stand on this file, never it on them: the kernel module's entry (index.ts) picks one
 * and the allocator is given it.
 */
export interface FramePolicy {
  /** As /proc/meminfo names it. */
  name: string;
  findRun(table: FrameTable, count: number): number | undefined;
}

/** Who owns each frame (0: free), the live owners by id, and the counts: the allocator's whole state. */
export interface FrameTable {
  ownerOf: Int32Array;
  owners: Map<number, FrameOwner>;
  free: number;
  nextOwner: number;
  /** Where next-fit looks first: the frame after its last allocation. */
  rover: number;
}

/** A table of `ownerOf.length` frames, every one free (the array is cleared). */
export function frameTable(ownerOf: Int32Array): FrameTable {
  ownerOf.fill(FREE);
  return { ownerOf, owners: new Map(), free: ownerOf.length, nextOwner: 1, rover: 0 };
}

/** Where the allocator says that the table changed and what its owner ids stand for: the machine's debug device. */
export type FrameTableListener = Pick<DebugDevice, 'ring' | 'nameOwner' | 'forgetOwner'>;

export class FrameAllocator {
  readonly total: number;
  readonly #ownerOf: Int32Array;
  #ringPending = false;

  constructor(
    readonly table: FrameTable,
    private readonly listener: FrameTableListener,
    readonly policy: FramePolicy,
  ) {
    this.#ownerOf = table.ownerOf;
    this.total = table.ownerOf.length;
  }

  get free(): number {
    return this.table.free;
  }

  createOwner(kind: OwnerKind, label: string): FrameOwner {
    const owner = { id: this.table.nextOwner++, kind, label, frames: 0 };
    this.table.owners.set(owner.id, owner);
    this.listener.nameOwner(owner.id, kind, label);
    return owner;
  }

  /** Marks a region of the boot memory map as owned (firmware, kernel image). */
  reserve(region: MemoryRegion, owner: FrameOwner): void {
    this.#mark(region.start / FRAME_SIZE, region.length / FRAME_SIZE, owner);
  }

  /** Allocates `count` contiguous frames; returns the first frame number. */
  allocate(count: number, owner: FrameOwner): number {
    const first = this.policy.findRun(this.table, count);
    if (first === undefined) {
      throw new OutOfMemoryError(`out of memory: ${owner.label} needs ${count} frame${count === 1 ? '' : 's'}, ${this.table.free} free`);
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
    this.table.free += count;
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
    this.table.free += freed;
    owner.frames = 0;
    this.table.owners.delete(owner.id);
    this.#changed();
    this.listener.forgetOwner(owner.id);
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
    return [...this.table.owners.values()];
  }

  #mark(first: number, count: number, owner: FrameOwner): void {
    this.#ownerOf.fill(owner.id, first, first + count);
    this.table.free -= count;
    owner.frames += count;
    this.#changed();
  }

  /** Rings the doorbell once this step of the kernel is over: a reader waiting on it reads the table again. */
  #changed(): void {
    if (this.#ringPending) return;
    this.#ringPending = true;
    void Promise.resolve().then(() => {
      this.#ringPending = false;
      this.listener.ring();
    });
  }
}
