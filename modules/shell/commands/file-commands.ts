/*
 * Commands on files: ls and cat, through the rootfs module, which the kernel loads the first
 * time one of them runs. Errors read as Linux's do: `cat: /nosuch: No such file or directory`.
 */
import type * as Rootfs from 'keel:rootfs';
import { parseOptions } from '../options.ts';
import { print, printError } from '../print.ts';
import { withModule } from '../with-module.ts';
import { visibleText } from '../../../ramdisk/visible-text.ts';
import type { Command } from './command.ts';

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  EACCES: 'Permission denied',
};

/** What Linux says for a failed file operation: the errno's text, else rootfs's own line. */
export const fileErrorText = (error: Rootfs.FileError) => ERRNO_TEXT[error.code] ?? error.message;

/** The files of a command's operands, read through rootfs; a file that fails is one error line. */
export async function readFiles(command: string, paths: string[]): Promise<{ texts: string[]; failed: boolean }> {
  return withModule<typeof Rootfs, { texts: string[]; failed: boolean }>('rootfs', (rootfs) => {
    const texts: string[] = [];
    let failed = false;
    for (const path of paths) {
      const text = rootfs.readFile(path);
      if (typeof text === 'string') texts.push(text);
      else {
        printError(`${command}: ${path}: ${fileErrorText(text)}`);
        failed = true;
      }
    }
    return { texts, failed };
  });
}

export const fileCommands: Record<string, Command> = {
  ls: {
    usage: 'ls [PATH...]',
    summary: 'list directories of the root file system',
    run: (args) => {
      const { operands } = parseOptions(args, {});
      const paths = operands.length > 0 ? operands : ['/'];
      return withModule<typeof Rootfs, number>('rootfs', (rootfs) => {
        let status = 0;
        for (const path of paths) {
          const entries = rootfs.list(path);
          if (!Array.isArray(entries)) {
            printError(`ls: cannot access '${path}': ${fileErrorText(entries)}`);
            status = 2;
            continue;
          }
          if (paths.length > 1) print(`${path}:`);
          for (const entry of entries) print(entry.directory ? `${visibleText(entry.name)}/` : `${visibleText(entry.name).padEnd(32)} ${entry.size}`);
        }
        return status;
      });
    },
  },
  cat: {
    usage: 'cat FILE...',
    summary: 'print files (try /proc/modules, /proc/meminfo, /etc/modules)',
    run: async (args, input) => {
      const { operands } = parseOptions(args, {});
      if (operands.length === 0) {
        if (input === undefined) throw new Error('missing operand (usage: cat FILE...)');
        if (input) print(input.replace(/\n$/, ''));
        return 0;
      }
      const { texts, failed } = await readFiles('cat', operands);
      // Files come from the ramdisk, which anyone can edit: control characters are shown, as cat -v shows them.
      for (const text of texts) if (text) print(visibleText(text.replace(/\n$/, ''), true));
      return failed ? 1 : 0;
    },
  },
};
