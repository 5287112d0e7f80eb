/*
 * The shell as a Linux user expects it, through the public surface (build → boot → shell):
 * pipes into grep, head, tail and wc; `>`, `>>` and `>FILE`; quotes and syntax errors; Linux's
 * words for missing files; insmod without dependency resolution; uname and clear; modinfo and
 * modprobe with versions; unknown options refused; what `call` prints; and writes that try to
 * leave /tmp by any spelling of a path.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build/paths.ts';
import { bootKernel, WITH_FIXTURES, type TestKernel } from './harness.ts';

let kernel: TestKernel;
beforeAll(async () => {
  kernel = await bootKernel({ build: WITH_FIXTURES });
});
afterAll(() => kernel.halt());

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('pipes and redirects', () => {
  it('filters with grep, -v, -i and -c', async () => {
    expect(await kernel.run('lsmod | grep ^shell')).toMatch(/^shell\s+\d+\s+0 \[permanent\]\n$/);
    expect(await kernel.run('lsmod | grep -i ^SHELL | grep -c perm')).toBe('1\n');
    const table = lines(await kernel.run('lsmod'));
    expect(await kernel.run('lsmod | grep -v Module | wc -l')).toBe(`${table.length - 1}\n`);
    expect(await kernel.run('lsmod | grep -vi MODULE | grep -c .')).toBe(`${table.length - 1}\n`);
    expect(await kernel.run('lsmod | grep -c nosuch')).toBe('0\n');
  });

  it('takes grep -E, -F, -w and -n as Linux users type them', async () => {
    await kernel.run('echo "kv 1.0" > /tmp/words; echo "kvx a.b" >> /tmp/words; echo "shell (x)" >> /tmp/words');
    expect(await kernel.run('grep -E "^(kv|shell) " /tmp/words')).toBe('kv 1.0\nshell (x)\n');
    expect(await kernel.run('grep -F a.b /tmp/words; grep -cF "(x)" /tmp/words; grep -F a.c /tmp/words')).toBe('kvx a.b\n1\n');
    expect(await kernel.run('grep -w kv /tmp/words; grep -wc kvx /tmp/words')).toBe('kv 1.0\n1\n');
    expect(await kernel.run('grep -n x /tmp/words; grep -vn kv /tmp/words')).toBe('2:kvx a.b\n3:shell (x)\n3:shell (x)\n');
    expect(await kernel.run('grep -wiF "SHELL (X)" /tmp/words')).toBe('shell (x)\n');
    expect(await kernel.run('grep -EF x /tmp/words')).toBe('grep: conflicting matchers specified (-E and -F)\n');
  });

  it('takes the first and last lines with head and tail, -n N and -N', async () => {
    const log = lines(await kernel.run('dmesg'));
    expect(lines(await kernel.run('dmesg | tail -3'))).toEqual(log.slice(-3));
    expect(lines(await kernel.run('dmesg | tail -n 2'))).toEqual(log.slice(-2));
    expect(lines(await kernel.run('dmesg | head'))).toEqual(log.slice(0, 10));
    expect(lines(await kernel.run('dmesg | head -n1'))).toEqual(log.slice(0, 1));
    expect(await kernel.run('dmesg | head -n x')).toBe("head: invalid number of lines: 'x'\n");
  });

  it('counts lines of /proc/modules with wc -l, one per module lsmod lists', async () => {
    const count = await kernel.run('cat /proc/modules | wc -l');
    expect(count).toBe(`${lines(await kernel.run('lsmod')).length - 1}\n`);
    expect(await kernel.run('echo one two | wc')).toBe('      1       2       8\n');
  });

  it('appends with >>, and redirects with or without a space', async () => {
    expect(await kernel.run('echo first > /tmp/log; echo more >> /tmp/log; echo again>>/tmp/log')).toBe('');
    expect(await kernel.run('cat /tmp/log')).toBe('first\nmore\nagain\n');
    expect(await kernel.run('echo a >/tmp/x; cat /tmp/x; echo b>/tmp/x; cat /tmp/x')).toBe('a\nb\n');
    expect(await kernel.run('lsmod | grep ^shell > /tmp/row; cat /tmp/row | wc -l')).toBe('1\n');
  });

  it('keeps errors out of the pipe, as stderr is: the error shows and wc counts nothing', async () => {
    expect(await kernel.run('cat /nosuch | wc -l')).toBe('cat: /nosuch: No such file or directory\n0\n');
  });

  it('takes quoted operators as text', async () => {
    expect(await kernel.run(`echo "a|b;c>d" 'e >> f'`)).toBe('a|b;c>d e >> f\n');
  });

  it.each([
    ['an unterminated double quote', 'echo ran; echo "abc', 'shell: unterminated quote: no closing " before the end of the line'],
    ['an unterminated single quote', "echo ran; echo 'abc", "shell: unterminated quote: no closing ' before the end of the line"],
    ['a pipe with nothing after it', 'echo ran; lsmod |', "shell: syntax error near unexpected token 'newline'"],
    ['a pipe with nothing before it', 'echo ran; | grep x', "shell: syntax error near unexpected token '|'"],
    ['a redirect with no file', 'echo ran; echo x >', "shell: syntax error near unexpected token 'newline'"],
    ['a redirect followed by a pipe', 'echo ran; echo x > | wc', "shell: syntax error near unexpected token '|'"],
  ])('refuses %s in one line, and runs nothing of the line', async (_case, line, message) => {
    expect(await kernel.run(line)).toBe(`${message}\n`);
  });
});

describe("Linux's words", () => {
  it.each([
    ['cat /nonexistent', 'cat: /nonexistent: No such file or directory'],
    ['cat /proc', 'cat: /proc: Is a directory'],
    ['cat /etc/modules/x', 'cat: /etc/modules/x: Not a directory'],
    ['ls /nonexistent', "ls: cannot access '/nonexistent': No such file or directory"],
    ['echo x > /tmp/nodir/x', 'echo: /tmp/nodir/x: No such file or directory'],
  ])('%s', async (line, message) => {
    expect(await kernel.run(line)).toBe(`${message}\n`);
  });

  it('a missing file is an answer, not an oops of rootfs', async () => {
    await kernel.run('cat /nonexistent');
    expect(await kernel.run('dmesg | grep -c oops')).toBe('0\n');
  });

  it('uname prints the kernel name, and everything with -a', async () => {
    const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await kernel.run('uname')).toBe('keel\n');
    expect(await kernel.run('uname -a')).toBe(`keel keel ${version} #1 emulator keel\n`);
    expect(await kernel.run('uname -r')).toBe(`${version}\n`);
    expect(await kernel.run('uname -x')).toBe("uname: invalid option -- 'x'\n");
  });

  it('clear clears the screen and its scrollback', async () => {
    expect(await kernel.run('clear')).toBe('\x1b[H\x1b[2J\x1b[3J');
  });

  it('modinfo NAME VERSION shows that version; a version the ramdisk lacks is one line', async () => {
    expect(await kernel.run('modinfo kv 1.0.0')).toMatch(/^version:\s+1\.0\.0$/m);
    expect(await kernel.run('modinfo kv 2.0.0')).toMatch(/^version:\s+2\.0\.0$/m);
    expect(await kernel.run('modinfo kv 9.9.9')).toBe('modinfo: ERROR: Module kv version 9.9.9 not found.\n');
  });

  it('modprobe NAME VERSION for a version the ramdisk lacks says so, and a word that is no version is not taken for one', async () => {
    const before = await kernel.run('lsmod');
    expect(await kernel.run('modprobe hello 9.9.9')).toBe("modprobe: ERROR: could not insert 'hello': version 9.9.9 of module hello not found in the ramdisk (it has 1.0.0)\n");
    expect(await kernel.run('modprobe hello kv')).toBe("modprobe: 'kv' is not a version such as 1.0.0 (usage: modprobe [-r] NAME [VERSION])\n");
    expect(await kernel.run('swap hello kv')).toBe("swap: 'kv' is not a version such as 1.0.0 (usage: swap NAME [VERSION])\n");
    expect(await kernel.run('lsmod')).toBe(before);
  });

  it.each([
    ['rmmod -f kv', "rmmod: invalid option -- 'f'"],
    ['modinfo -F', "modinfo: invalid option -- 'F'"],
    ['modinfo -F version hello', "modinfo: invalid option -- 'F'"],
    ['modprobe --force hello', "modprobe: unrecognized option '--force'"],
    ['modprobe -rx hello', "modprobe: invalid option -- 'x'"],
    ['ls -l /', "ls: invalid option -- 'l'"],
    ['grep -q x', "grep: invalid option -- 'q'"],
    ['lsmod extra', "lsmod: extra operand 'extra' (usage: lsmod)"],
    ['modinfo', 'modinfo: missing operand (usage: modinfo NAME [VERSION])'],
  ])('refuses options and operands a command does not take: %s', async (line, message) => {
    await kernel.run('modprobe kv');
    const before = await kernel.run('lsmod');
    expect(await kernel.run(line)).toBe(`${message}\n`);
    expect(await kernel.run('lsmod')).toBe(before);
  });

  it('takes -- to end options, as getopt does', async () => {
    expect(await kernel.run('echo -x | grep -- -x')).toBe('-x\n');
  });
});

describe('insmod: one bundle by its path, no dependencies resolved', () => {
  it('fails as Linux does when a module it imports is not loaded, logging the unknown symbols', async () => {
    const before = [await kernel.run('lsmod'), await kernel.frames()];
    expect(await kernel.run('insmod /lib/modules/consumer/1.0.0.js')).toBe('insmod: ERROR: could not insert module /lib/modules/consumer/1.0.0.js: Unknown symbol in module\n');
    expect(await kernel.run('dmesg | grep Unknown')).toMatch(/^\[\s*[\d.]+\] consumer: Unknown symbol register \(err -2\)\n$/);
    expect([await kernel.run('lsmod'), await kernel.frames()]).toEqual(before);
  });

  it('loads the bundle once what it imports is loaded, by its path with or without the leading slash', async () => {
    expect(await kernel.run('insmod /lib/modules/provider/1.0.0.js; insmod lib/modules/consumer/1.0.0.js')).toBe('');
    expect(await kernel.run('lsmod | grep -c "^provider .* consumer"')).toBe('1\n');
    expect(await kernel.run('insmod /lib/modules/consumer/1.0.0.js')).toBe('insmod: ERROR: could not insert module /lib/modules/consumer/1.0.0.js: File exists\n');
    await kernel.run('rmmod consumer provider');
  });

  it.each([
    ['a path the ramdisk does not hold', 'insmod /lib/modules/nosuch/1.0.0.js', 'insmod: ERROR: could not load module /lib/modules/nosuch/1.0.0.js: No such file or directory'],
    ['no path', 'insmod', 'insmod: missing operand (usage: insmod PATH)'],
    ['two paths', 'insmod /a /b', "insmod: extra operand '/b' (usage: insmod PATH)"],
  ])('refuses %s', async (_case, line, message) => {
    expect(await kernel.run(line)).toBe(`${message}\n`);
  });
});

describe('what call prints', () => {
  it('a class instance another module handed out, by its fields, nested instances too', async () => {
    expect(await kernel.run('call printables point')).toBe('{"x":3,"y":4,"label":"corner"}\n');
    expect(await kernel.call('printables', 'segment')).toEqual({ from: { x: 0, y: 0, label: 'origin' }, to: { x: 1, y: 1, label: 'origin' } });
  });

  it('nothing for a void function, as a command that prints nothing', async () => {
    expect(await kernel.run('call kv set colour blue')).toBe('');
    expect(await kernel.run('call kv get colour')).toBe('"blue"\n');
    expect(await kernel.run('call kv get nothing-there')).toBe('');
  });

  it('a result that cannot be printed, in one line', async () => {
    expect(await kernel.run('call printables loop')).toBe('call: printables.loop returned a value that cannot be printed: it contains a cycle\n');
    expect(await kernel.run('call printables big')).toBe('call: printables.big returned a value that cannot be printed: Do not know how to serialize a BigInt\n');
    expect(await kernel.run('echo still here')).toBe('still here\n');
  });
});

describe('writes that try to leave /tmp', () => {
  it.each([
    '/tmp/../etc/modules', '/tmp/./../etc/modules', '//tmp/../etc/modules', '/tmp/x/../../etc/modules', '/tmp/../../../etc/modules', 'tmp/../etc/modules',
    '/tmp/..', '//tmp/..//etc/', '/etc/modules/', '/tmp/.././etc/./modules',
  ])('%s is refused, and /etc/modules is unchanged', async (target) => {
    const before = await kernel.run('cat /etc/modules');
    expect(await kernel.run(`echo overwritten > ${target}`)).toBe(`echo: ${target}: read-only file system (only /tmp is writable)\n`);
    expect(await kernel.run(`echo appended >> ${target}`)).toBe(`echo: ${target}: read-only file system (only /tmp is writable)\n`);
    expect(await kernel.run('cat /etc/modules')).toBe(before);
  });

  it.each([
    ['//tmp//double', '/tmp/double'],
    ['/tmp/./dot', '/tmp/dot'],
    ['/tmp/sub/../back', '/tmp/back'],
    ['tmp/relative', '/tmp/relative'],
  ])('%s is a file in /tmp (%s)', async (target, resolved) => {
    expect(await kernel.run(`echo kept > ${target}`)).toBe('');
    expect(await kernel.run(`cat ${resolved}`)).toBe('kept\n');
  });

  it('a write to /tmp itself is refused: it is a directory', async () => {
    expect(await kernel.run('echo x > /tmp/')).toBe('echo: /tmp/: Is a directory\n');
  });
});

describe('counts of one are singular', () => {
  it('rmmod of a one-frame module logs "1 frame freed", a swap "1 text frame freed" and "1 state entry"', async () => {
    const hello = /^hello\s+(\d+) /m.exec(await kernel.run('modprobe hello; lsmod'))!;
    expect(Number(hello[1])).toBe(4096);
    await kernel.run('rmmod hello');
    expect(await kernel.run('dmesg | tail -1')).toMatch(/keel: unloaded hello \S+ \(1 frame freed\)\n$/);
    await kernel.run('rmmod kv; modprobe kv 1.0.0; call kv set one 1');
    expect(await kernel.run('swap kv')).toMatch(/, 1 state entry transferred, 1 text frame freed, /);
    await kernel.run('rmmod kv');
  });
});
