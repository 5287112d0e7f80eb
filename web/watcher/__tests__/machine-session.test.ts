/*
 * The session between one page and its machine (web/watcher/machine-session.ts), with a fake
 * machine and terminal: a line typed at the prompt holds what the command changes until the
 * machine reads its next line — then the picture goes to the page at once, not at the end of
 * COMMAND_HOLD_MS — and the times of that line (lastLine) carry the machine's own work.
 */
import { describe, expect, it, vi } from 'vitest';
import type { MachineDebugger } from '../../../emulator/machine-messages.ts';
import type { TerminalConsole } from '../../../emulator/terminal-console.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import { MachineSession, type MachineHooks } from '../machine-session.ts';

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
