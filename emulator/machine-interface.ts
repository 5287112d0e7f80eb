/*
 * The machine as the kernel sees it: the only things the firmware hands to the base image (the
 * bootstrap, which hands them on to the kernel module).
 *
 * This file is types (and FRAME_SIZE) only. `boot/` and the modules import it (as kernel code
 * includes the headers of its hardware); nothing in `emulator/` may import `boot/` or
 * `modules/`. Every device is a small object of plain functions, so the kernel never holds the
 * host's own objects.
 */

export const FRAME_SIZE = 4096;

export type RegionKind = 'firmware' | 'kernel-text' | 'kernel-init' | 'free';

/** One run of physical memory, in bytes; `start` and `length` are multiples of FRAME_SIZE. */
export interface MemoryRegion {
  start: number;
  length: number;
  kind: RegionKind;
}

export interface BootInfo {
  memoryMap: MemoryRegion[];
  /**
   * The ramdisk, mapped where the host already holds it, as U-Boot leaves an initrd in place
   * (initrd_high=0xffffffff): at physical address `start`, just above RAM, `length` bytes (not
   * rounded) that `bytes` reads. It is not in RAM and the memory map does not list it. Read it,
   * never write it: the host may share these bytes with the thread that read the file, and
   * with the machine's next boot.
   */
  ramdisk: { start: number; length: number; bytes: Uint8Array };
  /** Where the firmware placed the image's init section (empty in keel's image: the bootstrap is all text). */
  init: { start: number; length: number };
  /** The kernel command line, e.g. "init=shell quiet". */
  cmdline: string;
}

/** Completions of the word a line ends in: the candidates, and the word they complete. */
export type Completion = [candidates: string[], word: string];

/**
 * How the reader of a line wants it read. The host's terminal edits the line (history,
 * Ctrl-U, Ctrl-L) and redraws `prompt` around its editing; it asks `complete` on Tab, and calls
 * `interrupt` on Ctrl-C while the line it returned is being run, until the next read (a Ctrl-C
 * on a line being typed only abandons that line).
 */
export interface LineRequest {
  prompt?: string;
  complete?(line: string): Completion | Promise<Completion>;
  interrupt?(): void;
}

export interface ConsoleDevice {
  write(text: string): void;
  /** The next line typed at the console; null once input has ended (Ctrl-D, end of --exec). */
  readLine(request?: LineRequest): Promise<string | null>;
  /** Whether a person types at the console (a terminal), not a script or --exec: what isatty() tells. */
  interactive: boolean;
}

export interface TimerDevice {
  /** Milliseconds since the machine was powered on, with sub-millisecond precision. */
  now(): number;
  setTimer(callback: () => void, milliseconds: number): number;
  clearTimer(id: number): void;
}

/** One message from the host: a one-line JSON header and a payload. */
export interface ChannelMessage {
  header: string;
  bytes: Uint8Array;
}

export interface ChannelDevice {
  /** The next message from the host; null once the machine is halting. */
  receive(): Promise<ChannelMessage | null>;
}

export interface CryptoDevice {
  sha256(bytes: Uint8Array): string;
  /** Checks an Ed25519 signature (hex) of `bytes` against a raw public key (hex). */
  verify(publicKey: string, bytes: Uint8Array, signature: string): boolean;
}

export interface PowerDevice {
  halt(status: number): void;
  /** Stops the machine with "Kernel panic - not syncing: <reason>" and status 2. */
  panic(reason: string): void;
}

/* What keeps objects alive, as the host's heap snapshot shows it (HostDevice.heapRetainers). */
export interface HeapNodeInfo {
  /** V8's node type: object, closure, array, string, code, hidden, synthetic, ... */
  type: string;
  /** A constructor's or a function's name, a string's text (cut at 80 characters), "system / Context", ... */
  name: string;
  /** For a closure: the URL of its script (its sourceURL, or the file it was compiled from). */
  script?: string;
  /** Which of the landmarks it is. */
  landmark?: number;
}

export interface HeapPathStep {
  /** The edge's type: property, element, context, internal, hidden, shortcut. */
  edgeType: string;
  /** A property's or variable's name, an element's index, an internal field's name. */
  edgeName: string;
  node: HeapNodeInfo;
  /** When the edge is from the entry table of a Map: the key of the entry (a string's text, else its node). */
  mapKey?: HeapNodeInfo;
}

export interface HeapRetainers {
  /** For each target, the steps from a root to it, or null when the snapshot shows no path from a root. */
  paths: Array<HeapPathStep[] | null>;
  /** The snapshot's size: the length of its JSON text, and its node count. */
  snapshotBytes: number;
  nodeCount: number;
}

/** What the host engine can tell the kernel about itself (a debug port, in hardware terms). */
export interface HostDevice {
  /** Runs a full garbage collection if the host allows it; says whether it did. */
  collectGarbage(): boolean;
  /** Bytes of compiled code (bytecode and machine code) in the host engine's heap; null where the host cannot measure it (a browser). */
  codeBytes(): number | null;
  /**
   * Milliseconds the machine's thread has been ready to run but waited for a CPU of the host
   * (the other threads and processes on its cores had them), since some moment of the host's
   * choosing: differences of two readings count. A virtual machine's steal time. Null where
   * the host cannot tell (a browser; a Linux without schedstat).
   */
  cpuWaitMs(): number | null;
  /**
   * Where a rejection of a promise of the machine's realm that nothing handled goes (the kernel
   * reports it as an oops). Without a handler, or if the handler throws, the machine panics.
   */
  onUnhandledRejection(handler: (reason: unknown) => void): void;
  /**
   * What keeps objects alive: a heap snapshot of the machine's thread, and for each of
   * `targets` the shortest chain of references from a root of the host's collector to it
   * (emulator/heap-retainers.ts). Steps through one of `landmarks` say which. Null when the
   * host cannot take a snapshot. Costly (a second or two with every module loaded): for when
   * something is known to leak, never the normal path.
   */
  heapRetainers(targets: object[], landmarks: object[]): HeapRetainers | null;
}

/**
 * The memory-management unit, as far as the kernel needs one: a block of memory the kernel
 * mapped to a module as a buffer of its own is unmapped here, so that no view of it reads or
 * writes anything any more (a stale holder cannot reach frames that are free or reused).
 */
export interface MmuDevice {
  unmap(buffer: ArrayBuffer): void;
}

/** Lets a watchdog outside the machine name the module whose code hung it. */
export interface WatchdogDevice {
  /** Word 0: the id of the module whose code runs now, 0 for the kernel's own. Shared memory. */
  running: Int32Array;
  /** Gives an id its name, before that module's code first runs; null forgets it (unloaded). */
  name(id: number, name: string | null): void;
}

/**
 * What a debugger attached to the machine sees of the kernel's memory, as a hardware debugger
 * reads physical memory while the machine runs: the kernel keeps its frame table in the shared
 * memory this device hands it, rings a doorbell after each step that changed it, names the
 * owner ids the table holds, and reports what happens to its modules. Another thread (the web
 * page's server) reads the table itself: the picture it draws is the kernel's own table, not a
 * re-computation.
 */
export interface DebugDevice {
  /** The frame table: one word per frame of physical memory, the id of its owner, 0 when free. Shared memory. */
  frameTable: Int32Array;
  /**
   * Rings the doorbell: a step that changed the table is over. The device counts it at once, in
   * its doorbell's word 0 (shared memory, which the debugger waits on), and wakes the debugger
   * once the machine's turn is over, not while the machine works on: a thread woken then runs on
   * the same cores and takes one from the machine (the scheduler puts a thread it wakes beside
   * the one that woke it).
   */
  ring(): void;
  /** Whether a debugger listens: without one, names and module events go nowhere, and the kernel need not describe its module table for them. */
  attached: boolean;
  /** Says what an owner id stands for (as `free` lists owners), before the table holds it. */
  nameOwner(id: number, kind: string, label: string): void;
  /** The owner holds no frame any more and its id is forgotten. */
  forgetOwner(id: number): void;
  /** A module event: one line of JSON, a ModuleEvent. */
  moduleEvent(json: string): void;
}

/** What happened to a module: it became Live, began unloading, was unloaded, was replaced by a swap, its users changed, its code was found still held after unload or was collected. */
export type ModuleEventKind = 'loaded' | 'unloading' | 'unloaded' | 'swapped' | 'users' | 'zombie' | 'reclaimed';

/** A module as a ModuleEvent shows it: its ids are those of its text and data frame owners. */
export interface ModuleEventEntry {
  id: number;
  data: number;
  name: string;
  version: string;
  state: string;
  /** Ids of the modules that import it or hold it (requestModule), and of those it imports. */
  users: number[];
  imports: number[];
}

/** An unloaded module, named by the id its text frames had; a zombie says what holds it, once the kernel knows. */
export interface ModuleEventSubject {
  id: number;
  name: string;
  version: string;
  holder?: string;
}

/** What the kernel reports through DebugDevice.moduleEvent: the event, and the module table as it stands after it. */
export interface ModuleEvent {
  event: ModuleEventKind;
  module: ModuleEventSubject;
  /** The loader's table (what lsmod lists), and the zombies. */
  modules: ModuleEventEntry[];
  zombies: ModuleEventSubject[];
}

export interface MachineInterface {
  /** Physical memory, FRAME_SIZE-byte frames. */
  memory: Uint8Array;
  console: ConsoleDevice;
  timer: TimerDevice;
  crypto: CryptoDevice;
  channel: ChannelDevice;
  power: PowerDevice;
  host: HostDevice;
  watchdog: WatchdogDevice;
  mmu: MmuDevice;
  debug: DebugDevice;
}

/** The base image's text section, compiled: its code is the body of this function. */
export type KernelEntry = (machine: MachineInterface, bootInfo: BootInfo) => void;
