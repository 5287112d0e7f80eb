/*
 * The page of the browser host's tests (test/browser-host.ts serves it, bundled for the
 * browser): it fetches boot.img and initrd.cpio and powers the machine on in a Web Worker with
 * emulator/browser-machine-thread.ts — the page-side class the site uses — and keeps what the
 * console printed where a test reads it.
 *
 *   window.keelTest.boot({ watchdogSeconds: 2 });   // once per page; boot again for a new machine
 *   window.keelTest.output                          // everything the console printed
 *   window.keelTest.type('lsmod');                  // a line at the prompt
 *   window.keelTest.status                          // the halt status once halted, else null
 *   window.keelTest.ticks                           // turns of a timer of the page's own: it runs while the page is free
 *   window.keelTest.boot({ debug: true }); window.keelTest.debugged   // what a MachineDebugger was told
 */
import { BrowserMachineThread, type MachineDebugger } from '../emulator/browser-machine-thread.ts';

declare const window: { keelTest: unknown };
declare function fetch(url: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>;

declare function setInterval(callback: () => void, milliseconds: number): number;

const state = {
  ticks: 0,
  output: '',
  status: null as number | null,
  bootError: null as string | null,
  thread: null as BrowserMachineThread | null,
  /** What the debugger heard: the frame table's length in frames, whether it and the doorbell are shared memory, owner names, module events, code byte readings. */
  debugged: { frames: 0, shared: false, owners: [] as string[], events: [] as string[], codeBytes: [] as Array<number | null> },
  async boot({ debug = false, ...options }: { watchdogSeconds?: number; cmdline?: string; debug?: boolean } = {}) {
    const [image, initrd] = await Promise.all(['boot.img', 'initrd.cpio'].map(async (file) => new Uint8Array(await (await fetch(file)).arrayBuffer())));
    await state.thread?.powerOff();
    state.output = '';
    state.status = null;
    state.bootError = null;
    state.debugged = { frames: 0, shared: false, owners: [], events: [], codeBytes: [] };
    const heard = state.debugged;
    const debugger_: MachineDebugger = {
      attach(frameTable, doorbell) {
        heard.frames = frameTable.length;
        heard.shared = Object.prototype.toString.call(frameTable.buffer) === '[object SharedArrayBuffer]' && Object.prototype.toString.call(doorbell.buffer) === '[object SharedArrayBuffer]';
      },
      nameOwner: (id, kind, label) => heard.owners.push(`${id} ${kind} ${label}`),
      forgetOwner: () => {},
      moduleEvent: (json) => heard.events.push(json),
      codeBytes: (bytes) => heard.codeBytes.push(bytes),
    };
    const thread = new BrowserMachineThread({ workerUrl: 'machine-worker.js', image: image!, initrd: initrd!, output: (text) => (state.output += text), consoleMode: 'transcript', ...options, ...(debug ? { debugger: debugger_ } : {}) });
    state.thread = thread;
    thread.halted.then((status) => (state.status = status), (error: Error) => (state.bootError = error.message));
  },
  type: (line: string) => state.thread!.console.type(line),
  powerOff: () => state.thread!.powerOff(),
};

setInterval(() => state.ticks++, 20);
window.keelTest = state;
