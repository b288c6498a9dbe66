import { MalformedMessageError } from './malformed-message.js';

const enum Step {
  Size,
  /** Chunk extensions after the size, ignored up to the line end. */
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  /** Start of a trailer line; an empty one ends the message. */
  TrailerStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
  Finished,
}

const CR = 13;
const LF = 10;
// A chunk size above 2^52 cannot be held exactly; no real body comes close.
const MAX_SIZE_DIGITS = 13;
// Bytes of extensions and trailers accepted, so a hostile upstream cannot make us scan forever.
const MAX_METADATA = 16 * 1024;

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/**
 * Decodes the chunked transfer coding (RFC 9112 §7.1) incrementally: chunk data is handed on
 * as views of the input, size lines, extensions and trailers are consumed. The state survives
 * between calls, so a body may be split anywhere.
 */
export class ChunkedDecoder {
  private step = Step.Size;
  private size = 0;
  private digits = 0;
  private metadata = 0;

  reset(): void {
    this.step = Step.Size;
    this.size = 0;
    this.digits = 0;
    this.metadata = 0;
  }

  get finished(): boolean {
    return this.step === Step.Finished;
  }

  /** Consumes bytes from `offset`; returns where it stopped (the end, or just past the body). */
  decode(data: Buffer, offset: number, sink: { onBody(chunk: Buffer): void }): number {
    let i = offset;
    const length = data.length;
    while (i < length) {
      switch (this.step) {
        case Step.Data: {
          const take = Math.min(this.size, length - i);
          sink.onBody(data.subarray(i, i + take));
          i += take;
          this.size -= take;
          if (this.size === 0) this.step = Step.DataCr;
          continue;
        }
        case Step.Size: {
          const byte = data[i]!;
          const value = hexValue(byte);
          if (value !== -1) {
            if (++this.digits > MAX_SIZE_DIGITS) throw new MalformedMessageError('chunk too large');
            this.size = this.size * 16 + value;
          } else if (this.digits === 0) {
            throw new MalformedMessageError('malformed chunk size');
          } else if (byte === CR) {
            this.step = Step.SizeLf;
          } else if (byte === 59 /* ; */ || byte === 32 || byte === 9) {
            this.step = Step.Extension;
          } else {
            throw new MalformedMessageError('malformed chunk size');
          }
          break;
        }
        case Step.Extension:
          if (data[i] === CR) this.step = Step.SizeLf;
          else if (++this.metadata > MAX_METADATA) {
            throw new MalformedMessageError('chunk extensions too long');
          }
          break;
        case Step.SizeLf:
          if (data[i] !== LF) throw new MalformedMessageError('malformed chunk size line');
          this.digits = 0;
          if (this.size === 0) this.step = Step.TrailerStart;
          else this.step = Step.Data;
          break;
        case Step.DataCr:
          if (data[i] !== CR) throw new MalformedMessageError('chunk data longer than its size');
          this.step = Step.DataLf;
          break;
        case Step.DataLf:
          if (data[i] !== LF) throw new MalformedMessageError('chunk data longer than its size');
          this.step = Step.Size;
          break;
        case Step.TrailerStart:
          this.step = data[i] === CR ? Step.FinalLf : Step.TrailerLine;
          break;
        case Step.TrailerLine:
          if (data[i] === CR) this.step = Step.TrailerLf;
          else if (++this.metadata > MAX_METADATA) {
            throw new MalformedMessageError('trailers too long');
          }
          break;
        case Step.TrailerLf:
          if (data[i] !== LF) throw new MalformedMessageError('malformed trailer line');
          this.step = Step.TrailerStart;
          break;
        case Step.FinalLf:
          if (data[i] !== LF) throw new MalformedMessageError('malformed end of chunked body');
          this.step = Step.Finished;
          return i + 1;
        case Step.Finished:
          return i;
      }
      i++;
    }
    return i;
  }
}
