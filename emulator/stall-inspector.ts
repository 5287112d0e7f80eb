/*
 * Where a stuck machine is stuck: the watchdog's non-maskable interrupt. When the machine's
 * heartbeat stops, the host pauses the machine's thread through the inspector (a debugger
 * attached to a worker can pause it even in an endless loop) and reads the script of each
 * frame on its stack. Module code runs as `keel:lib/modules/<name>/<version>.js` (its
 * sourceURL), so the innermost module frame names the module — whether it got there through
 * a stub, after an `await` that no stub saw, in its bundle's top-level code or in a state hook:
 * places the running word the stubs write cannot know. The kernel module's own frames
 * (`keel:lib/modules/kernel/...`) are passed over, as the running word's 0 is: kernel code runs
 * on behalf of the module that called it, and with no other module on the stack the machine is
 * stuck in "the kernel".
 *
 *   const name = await stuckModule(worker.threadId, 2000);   // 'crasher', 'the kernel', or null
 *
 * Null when the inspector cannot tell in time (the caller falls back to the running word).
 */
import inspector from 'node:inspector';

interface PausedFrame {
  location: { scriptId: string };
}

const MODULE_SCRIPT = /^keel:lib\/modules\/(?!kernel\/)([a-z0-9-]+)\//;

export function stuckModule(threadId: number, timeoutMs: number): Promise<string | null> {
  const session = new inspector.Session();
  return new Promise<string | null>((resolve) => {
    const done = (answer: string | null) => {
      clearTimeout(timer);
      session.disconnect();
      resolve(answer);
    };
    // A thread held in the debugger cannot be terminated: it is let go on every way out.
    const letGo = (answer: string | null) => (workerSession ? send('Debugger.resume', () => session.post('NodeWorker.detach', { sessionId: workerSession }, () => done(answer))) : done(answer));
    const timer = setTimeout(() => letGo(null), timeoutMs);
    const scripts = new Map<string, string>();
    let messageId = 0;
    let workerSession = '';
    const send = (method: string, then?: () => void) =>
      session.post('NodeWorker.sendMessageToWorker', { sessionId: workerSession, message: JSON.stringify({ id: ++messageId, method, params: {} }) }, then);
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      // The inspector numbers workers its own way; the title carries the thread id: "[worker 3] ...".
      if (!params.workerInfo.title.startsWith(`[worker ${threadId}]`)) return;
      workerSession = params.sessionId;
      send('Debugger.enable');
      send('Debugger.pause');
    });
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      if (params.sessionId !== workerSession) return;
      const message = JSON.parse(params.message) as { method?: string; params?: { scriptId?: string; url?: string; callFrames?: PausedFrame[] } };
      if (message.method === 'Debugger.scriptParsed') scripts.set(message.params!.scriptId!, message.params!.url!);
      if (message.method !== 'Debugger.paused') return;
      const module = message.params!.callFrames!.map((frame) => MODULE_SCRIPT.exec(scripts.get(frame.location.scriptId) ?? '')).find(Boolean);
      letGo(module ? module[1]! : 'the kernel');
    });
    try {
      session.connect();
      session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => error && done(null));
    } catch {
      done(null);
    }
  });
}
