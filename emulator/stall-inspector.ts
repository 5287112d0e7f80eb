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
import { inspectWorker, type WorkerThreadSession } from './worker-inspector.ts';

interface PausedFrame {
  location: { scriptId: string };
}

const MODULE_SCRIPT = /^keel:lib\/modules\/(?!kernel\/)([a-z0-9-]+)\//;

export function stuckModule(threadId: number, timeoutMs: number): Promise<string | null> {
  return new Promise<string | null>((resolve) => {
    let thread: WorkerThreadSession | null = null;
    let session: { disconnect(): void } | undefined;
    const done = (answer: string | null) => {
      clearTimeout(timer);
      session?.disconnect();
      resolve(answer);
    };
    // A thread held in the debugger cannot be terminated: it is let go on every way out.
    const letGo = (answer: string | null) => (thread ? thread.send('Debugger.resume', () => thread!.detach(() => done(answer))) : done(answer));
    const timer = setTimeout(() => letGo(null), timeoutMs);
    const scripts = new Map<string, string>();
    session = inspectWorker(threadId, {
      attached: (attached) => {
        thread = attached;
        attached.send('Debugger.enable');
        attached.send('Debugger.pause');
      },
      message: (message) => {
        const params = message.params as { scriptId?: string; url?: string; callFrames?: PausedFrame[] } | undefined;
        if (message.method === 'Debugger.scriptParsed') scripts.set(params!.scriptId!, params!.url!);
        if (message.method !== 'Debugger.paused') return;
        const module = params!.callFrames!.map((frame) => MODULE_SCRIPT.exec(scripts.get(frame.location.scriptId) ?? '')).find(Boolean);
        letGo(module ? module[1]! : 'the kernel');
      },
      failed: () => done(null),
    });
  });
}
