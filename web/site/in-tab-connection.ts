/*
 * The page's machine in the tab itself (`npm run site`): the page's connection
 * (web/page/connection.ts) with no server behind it. It fetches boot.img and initrd.cpio beside
 * the page, powers the machine on in a Web Worker (BrowserMachineThread, watched from the page
 * by the watchdog), and runs the same session as the server does for `npm run web`
 * (web/watcher/machine-session.ts) — the same messages, checked the same way — with the line
 * terminal (emulator/line-terminal.ts) for node:readline. A machine that ended can be powered
 * on again (`powerOn`), from the same files.
 *
 *   startPage(connectInTab(siteSettings));
 */
import { BrowserMachineThread } from '../../emulator/browser-machine-thread.ts';
import { LineTerminal } from '../../emulator/line-terminal.ts';
import { FRAME_SIZE } from '../../emulator/machine-interface.ts';
import { dispatch, type Connect } from '../page/connection.ts';
import { encodeMessage } from '../protocol/messages.ts';
import { MachineSession } from '../watcher/machine-session.ts';
import type { SiteSettings } from './settings.ts';
import { SITE_FILES } from './site-files.ts';

async function fetchBytes(file: string): Promise<Uint8Array> {
  const response = await fetch(file);
  if (!response.ok) throw new Error(`${file}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function connectInTab(settings: SiteSettings): Connect {
  return (handlers) => {
    const files = Promise.all([fetchBytes(SITE_FILES.image), fetchBytes(SITE_FILES.initrd)]);
    let session: MachineSession | null = null;
    /** Messages said before the machine's session began, and the terminal's size, which every new machine needs. */
    const waiting: string[] = [];
    let size: string | null = null;
    const powerOn = async () => {
      let image: Uint8Array, initrd: Uint8Array;
      try {
        [image, initrd] = await files;
      } catch (error) {
        return handlers.closed(0, `keel: could not load the machine's files: ${(error as Error).message}`);
      }
      let columns = 80;
      // The terminal writes nothing before the session connects it: the session exists by then.
      const terminal = new LineTerminal({ write: (text) => machineSession.output(text), columns: () => columns });
      const machineSession: MachineSession = new MachineSession({
        send: (message) => dispatch(message, handlers),
        log: (line) => console.warn(`keel: ${line}`),
        terminal: {
          write: terminal.write, reading: terminal.reading, connect: (console, halted) => terminal.connect(console, halted),
          keys: (data) => terminal.keys(data),
          resize(width) {
            columns = width;
            terminal.resize();
          },
        },
        frames: settings.memoryBytes / FRAME_SIZE,
        frameSize: FRAME_SIZE,
        start: (hooks) => new BrowserMachineThread({ workerUrl: SITE_FILES.machineWorker, image, initrd, ...settings, ...hooks }),
      });
      session = machineSession;
      for (const text of [...(size ? [size] : []), ...waiting.splice(0)]) session.receive(text);
    };
    void powerOn();
    return {
      where: 'this tab',
      send(message) {
        const text = encodeMessage(message);
        if (message.type === 'resize') size = text;
        if (session) session.receive(text);
        else if (message.type !== 'resize') waiting.push(text);
      },
      powerOn: () => void powerOn(),
    };
  };
}
