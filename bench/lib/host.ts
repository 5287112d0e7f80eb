/*
 * The host the benchmark runs on: a description of the machine for the report, garbage
 * collection, and the size of the V8 heap and of the compiled code in it, measured the way
 * docs/design.md says is honest (drop references, a turn, several full GCs, a turn, then read).
 */
import os from 'node:os';
import { getHeapCodeStatistics, getHeapStatistics } from 'node:v8';

export interface MachineDescription {
  node: string;
  cpu: string;
  cores: number;
  platform: string;
  memoryGiB: number;
}

export function describeMachine(): MachineDescription {
  return {
    node: process.version,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
  };
}

/**
 * Rounds of two full GCs. More than the few of docs/design.md's recipe: V8 flushes the bytecode
 * of functions that have not run for several full GCs, so with few rounds, code that went idle
 * before a measurement is flushed during it and the growth comes out negative.
 */
const SETTLE_ROUNDS = 8;

const turn = () => new Promise((resolve) => setImmediate(resolve));

export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  gc();
}

export interface HeapSize {
  /** Bytecode plus machine code. */
  codeBytes: number;
  /** Everything live in the heap: code, and the objects and strings that hold on to it. */
  heapBytes: number;
}

/** The heap once everything unreachable has been collected. */
export async function settledHeap(): Promise<HeapSize> {
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    await turn();
    collectGarbage();
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const code = getHeapCodeStatistics();
  return { codeBytes: code.bytecode_and_metadata_size + code.code_and_metadata_size, heapBytes: getHeapStatistics().used_heap_size };
}
