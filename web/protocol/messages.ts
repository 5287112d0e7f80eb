/*
 * The web page's protocol: what a page (web/page/) and the watcher of its machine
 * (web/watcher/machine-session.ts: on the server over one WebSocket, or in the tab itself for
 * `npm run site`) say to each other, as JSON text, and the check the watcher reads every page
 * message with. A page message that the check refuses is logged and answered with `refused`; it
 * never reaches the machine, whose only input from a page is the keys typed in its terminal.
 *
 *   page → server   keys     what xterm.js says was typed (console input, as a terminal's bytes)
 *                   resize   the terminal's size, so that line editing wraps where the page does
 *                   drawn    an update is on the screen: the server may send the next one
 *   server → page   hello    the machine's memory (frames, frame size), once
 *                   output   bytes for the terminal (text with ANSI escapes)
 *                   update   what changed in the picture since the last update: frames (runs of
 *                            owner ids, web/protocol/frame-runs.ts), owner names, the module
 *                            table, module events, the lines typed at the shell's prompt,
 *                            chart samples
 *                   halted   the machine has stopped; nothing more comes
 *                   refused  the page's last message was not one of the above
 *
 * Updates are paced by the page: the server sends one, then waits for its `drawn` before the
 * next, folding everything that happens meanwhile into it; a page that draws slowly (or not
 * at all, in a hidden tab) gets fewer, larger updates and never a backlog.
 */

export const PROTOCOL_VERSION = 1;
/** Where the page opens its WebSocket. */
export const SOCKET_PATH = '/machine';
/** The most characters one keys message may carry (a paste of a few pages). */
export const MAX_KEYS_LENGTH = 16 * 1024;
export const TERMINAL_COLUMNS = { min: 20, max: 1000 };
export const TERMINAL_ROWS = { min: 2, max: 1000 };

export type PageMessage = { type: 'keys'; data: string } | { type: 'resize'; columns: number; rows: number } | { type: 'drawn'; sequence: number };

/** What an owner id of the frame table stands for: kind as `free` lists it (firmware, kernel-text, kernel-init, initrd, text, data) and label. */
export interface OwnerName {
  id: number;
  kind: string;
  label: string;
}

/**
 * A row of the module table, as lsmod has it; `id` and `data` are the ids of its text and data
 * frame owners. The same fields as the kernel's ModuleEventEntry (emulator/machine-interface.ts),
 * written out again on purpose: the protocol is the page's and imports nothing of the machine,
 * and the server checks each kernel report field by field (web/watcher/kernel-reports.ts)
 * before a row of it goes to a page.
 */
export interface ModuleRow {
  id: number;
  data: number;
  name: string;
  version: string;
  state: string;
  users: number[];
  imports: number[];
}

/** An unloaded module whose code the host still holds, named by the id its text frames had, and what holds it (the kernel's dmesg words). */
export interface ZombieRow {
  id: number;
  name: string;
  version: string;
  holder?: string;
}

export interface ModuleTable {
  modules: ModuleRow[];
  zombies: ZombieRow[];
}

export type ModuleEventKind = 'loaded' | 'unloading' | 'unloaded' | 'swapped' | 'users' | 'zombie' | 'reclaimed';
export const MODULE_EVENT_KINDS: readonly ModuleEventKind[] = ['loaded', 'unloading', 'unloaded', 'swapped', 'users', 'zombie', 'reclaimed'];

/** A module event, stamped with the server's clock (milliseconds since the machine started). */
export interface ModuleEventMark {
  time: number;
  event: ModuleEventKind;
  id: number;
  name: string;
  version: string;
}

/** A line typed at the shell's prompt, stamped as events are: the chart labels what the person did before what followed from it. */
export interface CommandMark {
  time: number;
  line: string;
}

/** A point of the chart: frames in use and the host engine's compiled code bytes at `time` (null where the host cannot measure them: a browser). */
export interface ChartSample {
  time: number;
  framesUsed: number;
  codeBytes: number | null;
}

export interface PictureUpdate {
  type: 'update';
  sequence: number;
  /** Frames that changed, as runs: first frame, count, owner id, repeated (the first update: all of them). */
  runs: number[];
  owners: OwnerName[];
  /** Owner ids that hold no frame any more. */
  forgotten: number[];
  /** The module table after the last event, or null if no event came since the last update. */
  table: ModuleTable | null;
  events: ModuleEventMark[];
  /** Events that happened but are left out of `events` (too many for one update). */
  eventsLeftOut: number;
  commands: CommandMark[];
  samples: ChartSample[];
}

export type ServerMessage =
  | { type: 'hello'; protocol: number; frames: number; frameSize: number }
  | { type: 'output'; text: string }
  | PictureUpdate
  | { type: 'halted'; status: number; reason: string }
  | { type: 'refused'; reason: string };

const FIELDS: Record<PageMessage['type'], string[]> = { keys: ['type', 'data'], resize: ['type', 'columns', 'rows'], drawn: ['type', 'sequence'] };

const isWhole = (value: unknown, min: number, max: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** What is wrong with a page message, in a few words for the log; or the message. */
export function readPageMessage(text: string): PageMessage | { refused: string } {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { refused: 'not JSON' };
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return { refused: 'not a JSON object' };
  const fields = message as Record<string, unknown>;
  const type = fields.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) return { refused: `unknown type ${JSON.stringify(type) ?? 'undefined'}` };
  const expected = FIELDS[type as PageMessage['type']];
  const extra = Object.keys(fields).find((key) => !expected.includes(key));
  if (extra !== undefined) return { refused: `${type}: unexpected field ${JSON.stringify(extra)}` };
  if (type === 'keys') {
    if (typeof fields.data !== 'string') return { refused: 'keys: data must be a string' };
    if (fields.data.length > MAX_KEYS_LENGTH) return { refused: `keys: data is ${fields.data.length} characters, more than ${MAX_KEYS_LENGTH}` };
    return { type, data: fields.data };
  }
  if (type === 'resize') {
    if (!isWhole(fields.columns, TERMINAL_COLUMNS.min, TERMINAL_COLUMNS.max)) return { refused: `resize: columns must be a whole number from ${TERMINAL_COLUMNS.min} to ${TERMINAL_COLUMNS.max}` };
    if (!isWhole(fields.rows, TERMINAL_ROWS.min, TERMINAL_ROWS.max)) return { refused: `resize: rows must be a whole number from ${TERMINAL_ROWS.min} to ${TERMINAL_ROWS.max}` };
    return { type, columns: fields.columns, rows: fields.rows };
  }
  if (!isWhole(fields.sequence, 1, Number.MAX_SAFE_INTEGER)) return { refused: 'drawn: sequence must be a whole number from 1' };
  return { type: 'drawn', sequence: fields.sequence };
}

/** A message as the wire carries it. */
export const encodeMessage = (message: ServerMessage | PageMessage): string => JSON.stringify(message);
