/*
 * The host's debugger session on one machine thread: what the watchdog's stack reading
 * (stall-inspector.ts) and the heap limit (heap-monitor.ts) both stand on. The inspector of
 * the host's thread attaches to every worker of the process (NodeWorker.enable); this keeps
 * the one whose title carries the machine's thread id ("[worker 3] ...") and lets go of the
 * others, and passes on the messages of that one only.
 *
 *   const session = inspectWorker(worker.threadId, {
 *     attached: (thread) => thread.send('Runtime.getHeapUsage'),
 *     message: (message, thread) => ...,     // a reply ({ id, result }) or an event ({ method, params })
 *     failed: () => ...,                     // the host has no inspector to give (the session is closed)
 *   });
 *   session.disconnect();
 */
import inspector from 'node:inspector';

export interface WorkerMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

export interface WorkerThreadSession {
  /** Sends an inspector command to the thread; `then` runs once the host has passed it on. */
  send(method: string, then?: () => void): void;
  /** Lets go of the thread (a thread held in the debugger cannot be terminated), then `then`. */
  detach(then: () => void): void;
}

export interface WorkerInspectorHandlers {
  attached(thread: WorkerThreadSession): void;
  message(message: WorkerMessage, thread: WorkerThreadSession): void;
  failed(): void;
}

export function inspectWorker(threadId: number, handlers: WorkerInspectorHandlers): { disconnect(): void } {
  const session = new inspector.Session();
  let messageId = 0;
  let threadSession = '';
  const fail = () => {
    session.disconnect();
    handlers.failed();
  };
  let thread: WorkerThreadSession | null = null;
  session.on('NodeWorker.attachedToWorker', ({ params }) => {
    if (!params.workerInfo.title.startsWith(`[worker ${threadId}]`)) return void session.post('NodeWorker.detach', { sessionId: params.sessionId });
    const sessionId = (threadSession = params.sessionId);
    thread = {
      send: (method, then) => session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: ++messageId, method, params: {} }) }, () => then?.()),
      detach: (then) => session.post('NodeWorker.detach', { sessionId }, () => then()),
    };
    handlers.attached(thread);
  });
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    if (thread && params.sessionId === threadSession) handlers.message(JSON.parse(params.message) as WorkerMessage, thread);
  });
  try {
    session.connect();
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => error && fail());
  } catch {
    fail();
  }
  return { disconnect: () => session.disconnect() };
}
