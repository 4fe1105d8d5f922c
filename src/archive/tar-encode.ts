import { BLOCK, checksumOf, flagOf, type TarHeader } from './tar-header.js';

/** What the writer needs to describe one entry. */
export type TarWriteHeader = Pick<TarHeader, 'name' | 'type' | 'mode' | 'uid' | 'gid' | 'size' | 'mtime' | 'linkname'> &
  Partial<Pick<TarHeader, 'uname' | 'gname' | 'devmajor' | 'devminor' | 'xattrs'>>;

const isAscii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

function putString(buf: Buffer, s: string, start: number, len: number): void {
  buf.write(s, start, len, 'utf8');
}

/** Octal into a field, or base-256 when it does not fit. */
function putNumber(buf: Buffer, n: number, start: number, len: number): void {
  const oct = Math.max(0, Math.floor(n)).toString(8);
  if (oct.length < len) {
    buf.write(oct.padStart(len - 1, '0'), start, len - 1, 'latin1');
    buf[start + len - 1] = 0;
    return;
  }
  let v = Math.floor(n);
  for (let i = start + len - 1; i > start; i--) {
    buf[i] = v % 256;
    v = Math.floor(v / 256);
  }
  buf[start] = 0x80;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function splitUstar(name: string): [prefix: string, name: string] | null {
  if (name.length <= 100) return ['', name];
  for (let i = name.length - 101; i < name.length; i++) {
    if (i <= 0 || name[i] !== '/') continue;
    if (i <= 155 && name.length - i - 1 <= 100) return [name.slice(0, i), name.slice(i + 1)];
  }
  return null;
}

function ustarBlock(h: TarWriteHeader, name: string, prefix: string, linkname: string, typeflag: string, size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  putString(b, name, 0, 100);
  putNumber(b, h.mode & 0o7777, 100, 8);
  putNumber(b, h.uid, 108, 8);
  putNumber(b, h.gid, 116, 8);
  putNumber(b, size, 124, 12);
  putNumber(b, h.mtime, 136, 12);
  b.write(typeflag, 156, 1, 'latin1');
  putString(b, linkname, 157, 100);
  b.write('ustar\x0000', 257, 8, 'latin1');
  putString(b, h.uname ?? '', 265, 32);
  putString(b, h.gname ?? '', 297, 32);
  putNumber(b, h.devmajor ?? 0, 329, 8);
  putNumber(b, h.devminor ?? 0, 337, 8);
  putString(b, prefix, 345, 155);
  b.write(checksumOf(b).toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/**
 * Header block(s) for one entry: a PAX header first when the name, link, ids or xattrs
 * do not fit ustar (xattr values are written as raw bytes, as Docker/Go do).
 */
export function encodeHeader(h: TarWriteHeader): Buffer {
  const size = h.type === 'file' ? h.size : 0;
  const records: Buffer[] = [];
  const split = isAscii(h.name) ? splitUstar(h.name) : null;
  if (!split) records.push(paxRecord('path', Buffer.from(h.name)));
  if (!isAscii(h.linkname) || h.linkname.length > 100) records.push(paxRecord('linkpath', Buffer.from(h.linkname)));
  if (size >= 8 ** 11) records.push(paxRecord('size', Buffer.from(String(size))));
  if (h.uid >= 8 ** 7) records.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if (h.gid >= 8 ** 7) records.push(paxRecord('gid', Buffer.from(String(h.gid))));
  for (const [k, v] of [...(h.xattrs ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
    records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  }
  const [prefix, name] = split ?? ['', h.name.replace(/[^\x20-\x7e]/g, '_').slice(-100)];
  const linkname = records.length && !isAscii(h.linkname) ? '' : h.linkname.slice(0, 100);
  const main = ustarBlock(h, name, prefix, linkname, flagOf(h.type), size);
  if (!records.length) return main;
  const pax = Buffer.concat(records);
  const paxName = `PaxHeaders.0/${name}`.slice(0, 100);
  const paxHead = ustarBlock({ ...h, uname: '', gname: '' }, paxName, '', '', 'x', pax.length);
  return Buffer.concat([paxHead, pax, Buffer.alloc((BLOCK - (pax.length % BLOCK)) % BLOCK), main]);
}

/** Padding after a file body of `size` bytes. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
