/*
 * Commands on files: ls and cat, through the rootfs module, which the kernel loads the first
 * time one of them runs.
 */
import type * as Rootfs from 'keel:rootfs';
import { print } from '../print.ts';
import { withModule } from '../with-module.ts';
import type { Command } from './index.ts';

export const fileCommands: Record<string, Command> = {
  ls: {
    usage: 'ls [PATH]',
    summary: 'list a directory of the root file system',
    run: ([path = '/']) =>
      withModule<typeof Rootfs, number>('rootfs', (rootfs) => {
        for (const entry of rootfs.list(path)) print(entry.directory ? `${entry.name}/` : `${entry.name.padEnd(32)} ${entry.size}`);
        return 0;
      }),
  },
  cat: {
    usage: 'cat FILE...',
    summary: 'print files (try /proc/modules, /proc/meminfo, /etc/modules)',
    run: (paths) =>
      withModule<typeof Rootfs, number>('rootfs', (rootfs) => {
        if (paths.length === 0) throw new Error('usage: cat FILE...');
        for (const path of paths) print(rootfs.readFile(path).replace(/\n$/, ''));
        return 0;
      }),
  },
};
