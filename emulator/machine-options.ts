/*
 * The options every script that boots a machine takes, written once so that each says them the
 * same way: where the build is (npm run boot, web, site) and the kernel command line (those and
 * npm run dev). Each script's own spec (scripts/arguments.ts) spreads them in beside its own.
 *
 *   options: { ...BUILD_FOLDER_OPTION, mem: { ... }, ...COMMAND_LINE_OPTION }
 */
import type { ScriptOption } from '../scripts/arguments.ts';
import { DEFAULT_CMDLINE } from './machine.ts';

export const BUILD_FOLDER_OPTION: Record<'dist', ScriptOption> = {
  dist: { type: 'string', value: 'DIR', default: 'dist', description: 'where boot.img and initrd.cpio are' },
};

export const COMMAND_LINE_OPTION: Record<'cmdline', ScriptOption> = {
  cmdline: { type: 'string', value: '"..."', default: DEFAULT_CMDLINE, description: 'the kernel command line' },
};
