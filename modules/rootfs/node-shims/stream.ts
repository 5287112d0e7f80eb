/*
 * node:stream for the sandbox: memfs imports stream classes for its read and write streams.
 * keel's file system is used through synchronous calls only, so a stream is refused clearly.
 */
class StreamsUnavailable {
  constructor() {
    throw new Error('streams are not available in the keel root file system; use the synchronous calls');
  }
}

export const Readable = StreamsUnavailable;
export const Writable = StreamsUnavailable;
