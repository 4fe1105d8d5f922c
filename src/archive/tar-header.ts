/** The entry kinds berth reads and writes. */
export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo' | 'other';

/** A tar header after GNU long names and PAX records have been applied. */
export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** Raw typeflag character ('0', '5', ...). */
  typeflag: string;
  /** Permission bits incl. setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (fractional when PAX gives it). */
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX `SCHILY.xattr.*`, values as raw bytes. */
  xattrs: Map<string, Buffer>;
}

export const BLOCK = 512;

const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink',
  '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo',
};

export function typeOf(flag: string): TarEntryType {
  return TYPES[flag] ?? 'other';
}

export function flagOf(type: TarEntryType): string {
  const flags: Record<TarEntryType, string> = {
    file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6', other: '0',
  };
  return flags[type];
}

function cstr(buf: Buffer, start: number, end: number): string {
  const z = buf.indexOf(0, start);
  return buf.toString('utf8', start, z === -1 || z > end ? end : z);
}

/** Octal, or base-256 when the high bit of the first byte is set (GNU/star extension). */
export function parseNumber(buf: Buffer, start: number, end: number): number {
  if (buf[start] & 0x80) {
    let n = buf[start] & 0x3f;
    const negative = (buf[start] & 0x40) !== 0;
    for (let i = start + 1; i < end; i++) n = n * 256 + buf[i];
    return negative ? -n : n;
  }
  // octal digits after optional leading spaces/NULs, up to the first other byte (as Go's
  // parseOctal after its trim); a loop, not toString+regex: 8 numbers per header add up
  let i = start;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 7) break;
    n = n * 8 + d;
  }
  return n;
}

export function checksumOf(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decode one 512-byte header block (without long-name/PAX processing). Throws on a bad checksum. */
export function decodeHeader(block: Buffer): TarHeader {
  const stored = parseNumber(block, 148, 156);
  if (stored !== checksumOf(block)) throw new Error('archive/tar: invalid tar header');
  const typeflag = String.fromCharCode(block[156]);
  let name = cstr(block, 0, 100);
  const magic = block.toString('latin1', 257, 263);
  if (magic === 'ustar\0') {
    const prefix = cstr(block, 345, 500);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    type: typeOf(typeflag),
    typeflag,
    mode: parseNumber(block, 100, 108) & 0o7777,
    uid: parseNumber(block, 108, 116),
    gid: parseNumber(block, 116, 124),
    size: parseNumber(block, 124, 136),
    mtime: parseNumber(block, 136, 148),
    linkname: cstr(block, 157, 257),
    uname: cstr(block, 265, 297),
    gname: cstr(block, 297, 329),
    devmajor: parseNumber(block, 329, 337),
    devminor: parseNumber(block, 337, 345),
    xattrs: new Map(),
  };
}

/** Parse PAX records (`<len> <key>=<value>\n`), keeping values as bytes. */
export function parsePax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    if (sp === -1) break;
    const len = parseInt(buf.toString('latin1', off, sp), 10);
    if (!len || off + len > buf.length) break;
    const rec = buf.subarray(sp + 1, off + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq !== -1) out.set(rec.toString('utf8', 0, eq), rec.subarray(eq + 1));
    off += len;
  }
  return out;
}

/** Apply PAX records onto a header (path, linkpath, size, ids, mtime, names, xattrs). */
export function applyPax(h: TarHeader, pax: Map<string, Buffer>): void {
  for (const [key, value] of pax) {
    const s = () => value.toString('utf8');
    if (key === 'path') h.name = s();
    else if (key === 'linkpath') h.linkname = s();
    else if (key === 'size') h.size = parseInt(s(), 10);
    else if (key === 'uid') h.uid = parseInt(s(), 10);
    else if (key === 'gid') h.gid = parseInt(s(), 10);
    else if (key === 'mtime') h.mtime = parseFloat(s());
    else if (key === 'uname') h.uname = s();
    else if (key === 'gname') h.gname = s();
    else if (key.startsWith('SCHILY.xattr.')) h.xattrs.set(key.slice(13), Buffer.from(value));
  }
}

/** Whether a typeflag is a metadata record for the next entry (PAX `x`/`g`, GNU long name `L`/link `K`). */
export function isMetaFlag(flag: string): flag is 'x' | 'g' | 'L' | 'K' {
  return flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K';
}

/**
 * What metadata records say about the entries after them: PAX (`x` for the next entry, `g` for
 * all later ones, merged) and GNU long names/links. Every tar reader feeds records to `record`
 * and finishes each real header with `apply`, which also forgets the one-entry records.
 *
 * @example
 *   if (isMetaFlag(h.typeflag)) meta.record(h.typeflag, body); else meta.apply(h);
 */
export class TarMeta {
  private global = new Map<string, Buffer>();
  private next: Map<string, Buffer> | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;

  record(flag: 'x' | 'g' | 'L' | 'K', data: Buffer): void {
    if (flag === 'x') {
      const recs = parsePax(data);
      if (this.next) for (const [k, v] of recs) this.next.set(k, v);
      else this.next = recs;
    } else if (flag === 'g') {
      for (const [k, v] of parsePax(data)) this.global.set(k, v);
    } else {
      const z = data.indexOf(0);
      const s = data.toString('utf8', 0, z === -1 ? data.length : z);
      if (flag === 'L') this.longName = s;
      else this.longLink = s;
    }
  }

  apply(h: TarHeader): void {
    if (this.longName !== null) h.name = this.longName;
    if (this.longLink !== null) h.linkname = this.longLink;
    if (this.global.size) applyPax(h, this.global);
    if (this.next) applyPax(h, this.next);
    this.next = null;
    this.longName = this.longLink = null;
  }
}
