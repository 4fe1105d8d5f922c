/**
 * DNS over TCP framing (RFC 1035 4.2.2, RFC 7766): each message is preceded by its length
 * as two big-endian bytes. `push` takes stream chunks as they arrive and returns the
 * complete messages they finish, in order.
 *
 * @example
 *   const frames = new DnsFrameReader();
 *   socket.on('data', (chunk) => frames.push(chunk).forEach(handle));
 *   socket.write(DnsFrameReader.frame(reply));
 */
export class DnsFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns every message now complete. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 2) {
      const size = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + size) break;
      messages.push(Buffer.from(this.pending.subarray(2, 2 + size)));
      this.pending = this.pending.subarray(2 + size);
    }
    return messages;
  }

  /** `message` with its length prefix. */
  static frame(message: Buffer): Buffer {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(message.length, 0);
    return Buffer.concat([prefix, message]);
  }
}
