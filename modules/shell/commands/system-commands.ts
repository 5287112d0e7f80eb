/*
 * Commands for the machine as a whole: help, echo, dmesg, free, halt.
 */
import { dmesg } from 'keel:kernel';
import { memoryInfo, modules } from 'keel:sysinfo';
import { print } from '../print.ts';
import { commands, type Command } from './index.ts';

const column = (value: number | string) => String(value).padStart(12);

/** `free`: kibibytes and frames, then who owns the used frames. */
export function freeTable(): string {
  const memory = memoryInfo();
  const used = memory.total - memory.free;
  const kib = (frames: number) => (frames * memory.frameSize) / 1024;
  const owned = (kinds: string[]) => memory.owners.filter((owner) => kinds.includes(owner.kind)).reduce((sum, owner) => sum + owner.frames, 0);
  const zombies = modules().filter((status) => status.state === 'Zombie');
  return [
    `${''.padEnd(8)}${column('total')}${column('used')}${column('free')}`,
    `${'Mem:'.padEnd(8)}${column(kib(memory.total))}${column(kib(used))}${column(kib(memory.free))}   KiB`,
    `${'Frames:'.padEnd(8)}${column(memory.total)}${column(used)}${column(memory.free)}   of ${memory.frameSize / 1024} KiB`,
    `Used frames: firmware ${owned(['firmware'])}, base text ${owned(['kernel-text', 'kernel-init'])}, initrd ${owned(['initrd'])}, module text ${owned(['text'])}, module data ${owned(['data'])}`,
    `Host code: ${memory.hostCodeBytes} bytes compiled${zombies.length > 0 ? `; zombie modules: ${zombies.map((status) => status.name).join(', ')}` : ''}`,
  ].join('\n');
}

export const systemCommands: Record<string, Command> = {
  help: {
    usage: 'help',
    summary: 'list commands',
    run() {
      print([...commands.values()].map((command) => `  ${command.usage.padEnd(30)}${command.summary}`).join('\n'));
      return 0;
    },
  },
  echo: {
    usage: 'echo TEXT...',
    summary: 'print its arguments',
    run(args) {
      print(args.join(' '));
      return 0;
    },
  },
  dmesg: {
    usage: 'dmesg',
    summary: 'print the kernel log',
    run() {
      print(dmesg().join('\n'));
      return 0;
    },
  },
  free: {
    usage: 'free',
    summary: 'show physical memory: total, used, free, and by owner',
    run() {
      print(freeTable());
      return 0;
    },
  },
  halt: {
    usage: 'halt',
    summary: 'stop the machine',
    run: () => 'halt',
  },
};
