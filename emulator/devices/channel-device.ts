/*
 * The host channel: a mailbox from the host into the running machine, as virtio or 9p give a
 * guest a way to receive files. The dev loop sends freshly built module versions through it;
 * the kernel side (the devload module) receives each as a one-line JSON header and the bytes.
 * The kernel checks what arrives like any module — the channel is a transport, not a trust.
 */
import type { ChannelDevice, ChannelMessage } from '../machine-interface.ts';

export class Channel implements ChannelDevice {
  private readonly pending: ChannelMessage[] = [];
  private readonly receivers: Array<(message: ChannelMessage | null) => void> = [];
  private closed = false;

  receive = (): Promise<ChannelMessage | null> => {
    const message = this.pending.shift();
    if (message) return Promise.resolve(message);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.receivers.push(resolve));
  };

  send(header: string, bytes: Uint8Array): void {
    const message = { header, bytes };
    const receiver = this.receivers.shift();
    if (receiver) receiver(message);
    else this.pending.push(message);
  }

  close(): void {
    this.closed = true;
    for (const receiver of this.receivers.splice(0)) receiver(null);
  }
}
