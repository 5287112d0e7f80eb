/*
 * The session between one page and its machine (web/watcher/machine-session.ts), with a fake
 * machine and terminal: a line typed at the prompt holds what the command changes until the
 * machine reads its next line — then the picture goes to the page at once, not at the end of
 * COMMAND_HOLD_MS — and so is what the terminal writes from the Enter on (the newline, a short
 * command's answer), as one output message; the times of that line (lastLine) carry the
 * machine's own work.
 */
import { describe, expect, it, vi } from 'vitest';
import type { MachineDebugger } from '../../../emulator/machine-messages.ts';
import type { TerminalConsole } from '../../../emulator/terminal-console.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import { MachineSession, type MachineHooks } from '../machine-session.ts';
import { COMMAND_HOLD_MS } from '../answer-hold.ts';

function fakeSession() {
  const sent: ServerMessage[] = [];
  let hooks!: MachineHooks;
  let typeLine!: TerminalConsole['type'];
  const session = new MachineSession({
    send: (message) => sent.push(message),
    log: () => {},
    terminal: {
      write: () => {},
      reading: () => {},
      connect: (console) => (typeLine = console.type),
      keys: () => {},
      resize: () => {},
    },
    frames: 4,
    frameSize: 4096,
    start(given) {
      hooks = given;
      return { console: { type: () => {}, endInput: () => {}, interrupt: () => {}, complete: async () => [[], ''] }, halted: new Promise(() => {}), powerOff: async () => {} };
    },
  });
  const machineDebugger: MachineDebugger = hooks.debugger;
  return { session, sent, hooks, machineDebugger, type: (line: string) => typeLine(line, true) };
}

const outputs = (sent: ServerMessage[]) => sent.flatMap((message) => (message.type === 'output' ? [message.text] : []));
const enter = (session: MachineSession) => session.receive(JSON.stringify({ type: 'keys', data: '\r' }));

const updates = (sent: ServerMessage[]) => sent.filter((message): message is Extract<ServerMessage, { type: 'update' }> => message.type === 'update');

describe('a typed command and the picture', () => {
  it('holds what the command changes until the machine reads its next line, then sends it at once', () => {
    vi.useFakeTimers();
    try {
      const { session, sent, hooks, machineDebugger, type } = fakeSession();
      machineDebugger.attach(new Int32Array(new SharedArrayBuffer(16)), new Int32Array(new SharedArrayBuffer(4)));
      const [first] = updates(sent);
      expect(session.picture.drawn(first!.sequence)).toBe(true);
      type('modprobe kv');
      machineDebugger.nameOwner(5, 'text', 'kv');
      expect(updates(sent)).toHaveLength(1);
      // No time has passed (fake timers): only the machine's read can let the update go.
      hooks.onRead('keel# ', 1, { ms: 2, waitingMs: 0.1 });
      expect(updates(sent)).toHaveLength(2);
      const update = updates(sent)[1]!;
      expect(update.commands.map((command) => command.line)).toEqual(['modprobe kv']);
      expect(update.owners).toEqual([{ id: 5, kind: 'text', label: 'kv' }]);
      session.picture.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the machine thread\'s work for the line it answered', () => {
    const { session, hooks, type } = fakeSession();
    type('lsmod');
    hooks.onRead('keel# ', 1, { ms: 1.5, waitingMs: 0.25 });
    expect(session.lastLine.work).toEqual({ ms: 1.5, waitingMs: 0.25 });
    expect(session.lastLine.answered).toBeGreaterThanOrEqual(session.lastLine.typed);
    session.picture.stop();
  });
});

describe('a typed command and the terminal', () => {
  it('sends what the terminal writes from the Enter until the machine asks for its next line as one message, then sends at once again', () => {
    vi.useFakeTimers();
    try {
      const { session, sent, hooks } = fakeSession();
      session.output('keel# ');
      expect(outputs(sent)).toEqual(['keel# ']);
      enter(session);
      session.output('\r\n');
      session.output('kv 1.0.0\r\n');
      expect(outputs(sent)).toEqual(['keel# ']);
      hooks.onRead('keel# ', 1, { ms: 1, waitingMs: 0 });
      expect(outputs(sent)).toEqual(['keel# ', '\r\nkv 1.0.0\r\n']);
      session.output('keel# ');
      expect(outputs(sent)).toHaveLength(3);
      session.picture.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets a long command\'s output go after COMMAND_HOLD_MS, and streams it from then on', () => {
    vi.useFakeTimers();
    try {
      const { session, sent } = fakeSession();
      enter(session);
      session.output('\r\nworking');
      vi.advanceTimersByTime(COMMAND_HOLD_MS - 1);
      expect(outputs(sent)).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(outputs(sent)).toEqual(['\r\nworking']);
      session.output('.');
      expect(outputs(sent)).toEqual(['\r\nworking', '.']);
      session.picture.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
