/*
 * Tests the frame allocator (modules/kernel/frame-allocator.ts): allocate, release, freeOwner and reserve
 * keep "free + used = total" and every owner's count exact, runs are contiguous and never
 * overlap, and a failed allocation or release changes nothing. The table lives in the memory
 * it is handed (the debug device's), where a reader sees every frame's owner id, hears the
 * doorbell once after each step that changed it and learns each id's name.
 */
import { describe, expect, it } from 'vitest';
import { randomSource, thrownBy } from '../../../test/test-helpers.ts';
import { FRAME_SIZE } from '../../../emulator/machine-interface.ts';
import { FrameAllocator, frameTable, OutOfMemoryError, type FrameOwner, type FramePolicy, type FrameTableListener } from '../frame-allocator.ts';
import { firstFit } from '../frame-allocator.first-fit.ts';
import { nextFit } from '../frame-allocator.next-fit.ts';

/** The memory a debug device would hand the allocator, with what a reader of it would learn. */
function tableMemory(frames: number) {
  const names = new Map<number, string>();
  const frameTable = new Int32Array(new SharedArrayBuffer(frames * 4));
  let rings = 0;
  const memory: FrameTableListener & { frameTable: Int32Array; rings(): number } = {
    frameTable,
    ring: () => void rings++,
    rings: () => rings,
    nameOwner: (id, kind, label) => names.set(id, `${kind} ${label}`),
    forgetOwner: (id) => names.delete(id),
  };
  return { memory, names };
}

const allocatorOf = (frames: number, memory = tableMemory(frames).memory, policy: FramePolicy = firstFit) => new FrameAllocator(frameTable(memory.frameTable), memory, policy);

/** free + the frames of every live owner must add up to the total. */
function expectAccountingExact(allocator: FrameAllocator): void {
  const used = allocator.ownerList().reduce((sum, owner) => sum + owner.frames, 0);
  expect(allocator.free + used).toBe(allocator.total);
}

describe('FrameAllocator', () => {
  it('starts with every frame free', () => {
    const allocator = allocatorOf(64);
    expect(allocator.total).toBe(64);
    expect(allocator.free).toBe(64);
    expect(allocator.ownerList()).toEqual([]);
  });

  it('allocates contiguous runs that do not overlap and counts them per owner', () => {
    const allocator = allocatorOf(32);
    const text = allocator.createOwner('text', 'shell');
    const data = allocator.createOwner('data', 'shell');
    const first = allocator.allocate(5, text);
    const second = allocator.allocate(3, data);
    const third = allocator.allocate(7, text);
    const runs = [[first, 5], [second, 3], [third, 7]] as const;
    for (const [start, count] of runs) {
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start + count).toBeLessThanOrEqual(32);
      for (const [otherStart, otherCount] of runs) {
        if (otherStart !== start) expect(start + count <= otherStart || otherStart + otherCount <= start).toBe(true);
      }
    }
    expect(text.frames).toBe(12);
    expect(data.frames).toBe(3);
    expect(allocator.free).toBe(17);
    expectAccountingExact(allocator);
  });

  it('hands out distinct owner ids and lists live owners', () => {
    const allocator = allocatorOf(8);
    const text = allocator.createOwner('text', 'a');
    const data = allocator.createOwner('data', 'a');
    expect(text.id).not.toBe(data.id);
    expect(text.id).not.toBe(0);
    expect(allocator.ownerList()).toEqual([text, data]);
  });

  it('releases a run and reuses it', () => {
    const allocator = allocatorOf(16);
    const owner = allocator.createOwner('data', 'cache');
    const first = allocator.allocate(4, owner);
    allocator.allocate(12, owner);
    expect(allocator.free).toBe(0);
    allocator.release(first, 4, owner);
    expect(allocator.free).toBe(4);
    expect(owner.frames).toBe(12);
    expectAccountingExact(allocator);
    expect(allocator.allocate(4, owner)).toBe(first);
    expect(allocator.free).toBe(0);
  });

  it('needs a contiguous run: enough scattered free frames are not enough', () => {
    const allocator = allocatorOf(16);
    const even = allocator.createOwner('data', 'even');
    const odd = allocator.createOwner('data', 'odd');
    const oddFrames: number[] = [];
    for (let index = 0; index < 8; index++) {
      allocator.allocate(1, even);
      oddFrames.push(allocator.allocate(1, odd));
    }
    for (const frame of oddFrames) allocator.release(frame, 1, odd);
    expect(allocator.free).toBe(8);
    expect(() => allocator.allocate(2, even)).toThrow(OutOfMemoryError);
    expect(oddFrames).toContain(allocator.allocate(1, even));
  });

  it('throws OutOfMemoryError and allocates nothing when no run is long enough', () => {
    const allocator = allocatorOf(16);
    const owner = allocator.createOwner('text', 'big-module');
    allocator.allocate(10, owner);
    const error = thrownBy(() => allocator.allocate(7, owner));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toBe('out of memory: big-module needs 7 frames, 6 free');
    expect(allocator.free).toBe(6);
    expect(owner.frames).toBe(10);
    expectAccountingExact(allocator);
    expect(allocator.allocate(6, owner)).toBe(10);
  });

  it('refuses to release frames the owner does not hold, and changes nothing', () => {
    const allocator = allocatorOf(16);
    const mine = allocator.createOwner('data', 'mine');
    const theirs = allocator.createOwner('data', 'theirs');
    allocator.allocate(4, mine);
    const theirFirst = allocator.allocate(4, theirs);
    expect(() => allocator.release(theirFirst, 4, mine)).toThrow(`frame ${theirFirst} is not owned by mine`);
    expect(() => allocator.release(12, 2, mine)).toThrow('frame 12 is not owned by mine');
    expect(() => allocator.release(2, 4, mine)).toThrow('frame 4 is not owned by mine');
    expect(allocator.free).toBe(8);
    expect(mine.frames).toBe(4);
    expect(theirs.frames).toBe(4);
    expectAccountingExact(allocator);
  });

  it('refuses to release a frame twice', () => {
    const allocator = allocatorOf(8);
    const owner = allocator.createOwner('data', 'twice');
    const first = allocator.allocate(2, owner);
    allocator.release(first, 2, owner);
    expect(() => allocator.release(first, 2, owner)).toThrow(`frame ${first} is not owned by twice`);
    expect(allocator.free).toBe(8);
    expect(owner.frames).toBe(0);
  });

  it('freeOwner gives back exactly the owner’s frames, scattered or not, and forgets the owner', () => {
    const allocator = allocatorOf(32);
    const module = allocator.createOwner('text', 'module');
    const other = allocator.createOwner('data', 'other');
    allocator.allocate(3, module);
    allocator.allocate(2, other);
    allocator.allocate(5, module);
    allocator.allocate(1, other);
    allocator.allocate(1, module);
    expect(allocator.freeOwner(module)).toBe(9);
    expect(module.frames).toBe(0);
    expect(allocator.ownerList()).toEqual([other]);
    expect(other.frames).toBe(3);
    expect(allocator.free).toBe(29);
    expectAccountingExact(allocator);
    const reused = allocator.createOwner('text', 'module v2');
    allocator.allocate(20, reused);
    expect(allocator.free).toBe(9);
  });

  it('first fit reuses the lowest free run; next fit goes on after its last allocation, wraps round, and keeps its rover in the table', () => {
    const { memory } = tableMemory(16);
    const table = frameTable(memory.frameTable);
    const allocations = (policy: FramePolicy) => {
      const allocator = new FrameAllocator(table, memory, policy);
      const owner = allocator.createOwner('data', policy.name);
      const first = allocator.allocate(4, owner);
      allocator.release(first, 4, owner);
      return [first, allocator.allocate(4, owner), allocator.allocate(8, owner), allocator.allocate(4, owner)];
    };
    expect(allocations(firstFit)).toEqual([0, 0, 4, 12]);
    table.ownerOf.fill(0);
    Object.assign(table, { free: 16, rover: 0 });
    expect(allocations(nextFit)).toEqual([0, 4, 8, 0]);
    expect(table.rover).toBe(4);
    expect(new FrameAllocator(table, memory, nextFit).policy.name).toBe('next-fit');
  });

  it('reserves a region of the memory map for its owner', () => {
    const allocator = allocatorOf(16);
    const firmware = allocator.createOwner('firmware', 'firmware');
    allocator.reserve({ start: 4 * FRAME_SIZE, length: 3 * FRAME_SIZE, kind: 'firmware' }, firmware);
    expect(firmware.frames).toBe(3);
    expect(allocator.free).toBe(13);
    expectAccountingExact(allocator);
    const owner = allocator.createOwner('data', 'filler');
    const handedOut: number[] = [];
    for (let index = 0; index < 13; index++) handedOut.push(allocator.allocate(1, owner));
    expect(handedOut.filter((frame) => frame >= 4 && frame < 7)).toEqual([]);
    expect(new Set(handedOut).size).toBe(13);
    expect(() => allocator.allocate(1, owner)).toThrow(OutOfMemoryError);
    expect(allocator.freeOwner(firmware)).toBe(3);
    expect(allocator.allocate(3, owner)).toBe(4);
  });

  it('keeps its table where a reader sees each frame’s owner id, rings the doorbell once after each step that changed it, and names each owner while it lives', async () => {
    const { memory, names } = tableMemory(16);
    const allocator = allocatorOf(16, memory);
    const { rings } = memory;
    /** The end of the kernel's current step: its microtasks have run. */
    const stepEnds = () => new Promise<void>((resolve) => setImmediate(resolve));
    const text = allocator.createOwner('text', 'kv');
    expect(names.get(text.id)).toBe('text kv');
    const first = allocator.allocate(3, text);
    expect([...memory.frameTable.subarray(first, first + 3)]).toEqual([text.id, text.id, text.id]);
    // The table is written at once; the doorbell rings when the step is over, once for all its changes.
    expect(rings()).toBe(0);
    const data = allocator.createOwner('data', 'kv');
    const block = allocator.allocate(2, data);
    allocator.release(block, 1, data);
    expect(memory.frameTable[block]).toBe(0);
    expect(rings()).toBe(0);
    await stepEnds();
    expect(rings()).toBe(1);
    const successor = allocator.createOwner('data', 'kv');
    allocator.transfer(data, successor);
    expect(memory.frameTable[block + 1]).toBe(successor.id);
    await stepEnds();
    expect(rings()).toBe(2);
    allocator.freeOwner(text);
    expect([...memory.frameTable].filter((id) => id === text.id)).toEqual([]);
    expect(names.has(text.id)).toBe(false);
    await stepEnds();
    expect(rings()).toBe(3);
    expect(() => allocator.allocate(99, successor)).toThrow(OutOfMemoryError);
    await stepEnds();
    expect(rings()).toBe(3);
  });

  it.each([['first-fit', firstFit], ['next-fit', nextFit]] as const)('keeps a model of frame ownership exact through random allocate, release and freeOwner (%s)', (_name, policy) => {
    const total = 64;
    const allocator = allocatorOf(total, undefined, policy);
    const random = randomSource(2024);
    const ownerOf: (FrameOwner | undefined)[] = new Array(total).fill(undefined);
    const runs = new Map<FrameOwner, { first: number; count: number }[]>();
    const longestFreeRun = () => {
      let longest = 0;
      let current = 0;
      for (const owner of ownerOf) {
        current = owner ? 0 : current + 1;
        longest = Math.max(longest, current);
      }
      return longest;
    };
    for (let step = 0; step < 3000; step++) {
      const action = random(10);
      const owners = [...runs.keys()];
      if (action < 2 || owners.length === 0) {
        runs.set(allocator.createOwner(random(2) ? 'text' : 'data', `owner ${step}`), []);
      } else if (action < 7) {
        const owner = owners[random(owners.length)]!;
        const count = 1 + random(8);
        const possible = longestFreeRun() >= count;
        try {
          const first = allocator.allocate(count, owner);
          for (let frame = first; frame < first + count; frame++) {
            expect(ownerOf[frame]).toBeUndefined();
            ownerOf[frame] = owner;
          }
          runs.get(owner)!.push({ first, count });
        } catch (error) {
          expect(error).toBeInstanceOf(OutOfMemoryError);
          expect(possible).toBe(false);
        }
      } else if (action < 9) {
        const owner = owners[random(owners.length)]!;
        const ownerRuns = runs.get(owner)!;
        if (ownerRuns.length === 0) continue;
        const { first, count } = ownerRuns.splice(random(ownerRuns.length), 1)[0]!;
        allocator.release(first, count, owner);
        for (let frame = first; frame < first + count; frame++) ownerOf[frame] = undefined;
      } else {
        const owner = owners[random(owners.length)]!;
        const held = ownerOf.filter((each) => each === owner).length;
        expect(allocator.freeOwner(owner)).toBe(held);
        ownerOf.forEach((each, frame) => {
          if (each === owner) ownerOf[frame] = undefined;
        });
        runs.delete(owner);
      }
      expect(allocator.free).toBe(ownerOf.filter((owner) => owner === undefined).length);
      for (const owner of runs.keys()) expect(owner.frames).toBe(ownerOf.filter((each) => each === owner).length);
      expectAccountingExact(allocator);
    }
  });
});
