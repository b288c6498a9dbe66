/**
 * Gathers one message head, which may arrive over several reads, up to `limit` bytes. Both
 * sides of the proxy read heads through it: requests from clients, responses from upstreams.
 */
export class HeadBuffer {
  private partial: Buffer | undefined = undefined;
  /** The last complete head, as latin1 text without its blank line. */
  text = '';

  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {}

  /** The bytes of a head that has begun but not ended; undefined between heads. */
  get incomplete(): Buffer | undefined {
    return this.partial;
  }

  reset(): void {
    this.partial = undefined;
  }

  /**
   * Looks for the end of the head in `data` from `offset`. Returns the offset just past its
   * blank line, with `text` set, or -1 when more bytes are needed (what arrived is kept).
   * Throws `tooLarge()` as soon as the head is known to exceed the limit.
   */
  read(data: Buffer, offset: number): number {
    const partial = this.partial;
    const buffer = partial === undefined ? data : Buffer.concat([partial, data.subarray(offset)]);
    const start = partial === undefined ? offset : 0;
    const end = buffer.indexOf('\r\n\r\n', start, 'latin1');
    if ((end === -1 ? buffer.length : end) - start > this.limit) throw this.tooLarge();
    if (end === -1) {
      this.partial = start === 0 ? buffer : buffer.subarray(start);
      return -1;
    }
    this.partial = undefined;
    this.text = buffer.toString('latin1', start, end);
    // Back in `data`'s terms: the bytes kept from earlier reads came before `offset`.
    return end + 4 - start - (partial === undefined ? 0 : partial.length) + offset;
  }
}
