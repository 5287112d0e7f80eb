/*
 * Commands for the machine as a whole: help, echo, dmesg, free, uname, clear, halt.
 */
import { dmesg } from 'keel:kernel';
import { memoryInfo, modules } from 'keel:sysinfo';
import { expectOperands, parseOptions } from '../options.ts';
import { print, write } from '../print.ts';
import type { Command } from './command.ts';

/** keel's release, the project's version: the build defines it for every module. */
declare const KEEL_RELEASE: string;

/** uname's fields, in the order -a prints them: kernel name, node name, release, version, machine, operating system. */
const UNAME_FIELDS: Array<[flag: string, value: () => string]> = [
  ['s', () => 'keel'], ['n', () => 'keel'], ['r', () => KEEL_RELEASE], ['v', () => '#1'], ['m', () => 'emulator'], ['o', () => 'keel'],
];

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
    `Used frames: firmware ${owned(['firmware'])}, base text ${owned(['kernel-text', 'kernel-init'])}, module text ${owned(['text'])}, module data ${owned(['data'])}`,
    `Ramdisk: ${Math.ceil(memory.ramdiskBytes / 1024)} KiB, mapped above RAM (in no frame)`,
    `Host code: ${memory.hostCodeBytes === null ? 'not measurable here (this host does not tell its engine\'s code size)' : `${memory.hostCodeBytes} bytes compiled`}${zombies.length > 0 ? `; zombie modules: ${zombies.map((status) => status.name).join(', ')}` : ''}`,
  ].join('\n');
}

/** The system commands; help lists `table`, the shell's whole command table, which they end. */
export const systemCommands = (table: ReadonlyMap<string, Command>): Record<string, Command> => ({
  help: {
    usage: 'help',
    summary: 'list commands',
    run() {
      print([...table.values()].map((command) => `  ${command.usage.padEnd(40)}${command.summary}`).join('\n'));
      print('Commands are separated by ;, piped with | and sent to a file with > FILE or >> FILE.');
      print('Tab completes, up and down recall, Ctrl-C abandons the line or the command running, Ctrl-D or halt leaves.');
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
    run(args) {
      expectOperands(parseOptions(args, {}).operands, 0, 0, this.usage);
      print(dmesg().join('\n'));
      return 0;
    },
  },
  free: {
    usage: 'free',
    summary: 'show physical memory: total, used, free, and by owner',
    run(args) {
      expectOperands(parseOptions(args, {}).operands, 0, 0, this.usage);
      print(freeTable());
      return 0;
    },
  },
  uname: {
    usage: 'uname [-asnrvmo]',
    summary: 'print the kernel name (-a: everything uname knows)',
    run(args) {
      const { flags, operands } = parseOptions(args, { flags: 'asnrvmo' });
      expectOperands(operands, 0, 0, this.usage);
      const shown = UNAME_FIELDS.filter(([flag]) => flags.has('a') || flags.has(flag));
      print((shown.length > 0 ? shown : UNAME_FIELDS.slice(0, 1)).map(([, value]) => value()).join(' '));
      return 0;
    },
  },
  clear: {
    usage: 'clear',
    summary: 'clear the screen',
    run() {
      write('\x1b[H\x1b[2J\x1b[3J');
      return 0;
    },
  },
  halt: {
    usage: 'halt',
    summary: 'stop the machine',
    run: () => 'halt',
  },
});
