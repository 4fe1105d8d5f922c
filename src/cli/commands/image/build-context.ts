import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { encodeHeader, type TarWriteHeader } from '../../../archive/index.js';
import { DockerIgnore, selectContextPaths } from '../../../shared/dockerignore.js';
import { walkDirectory } from '../../../shared/walk-directory.js';

const BLOCK = 512;

/** The context tar the docker CLI sends for a directory, and its Dockerfile's name in it. */
export interface ContextTar {
  tar: Readable;
  dockerfile: string;
  /** Bytes of the tar, known once it has been read to the end. */
  size(): number;
}

/**
 * The directory as the docker CLI sends it: `.dockerignore` applied (the Dockerfile and
 * `.dockerignore` always included), owners reset to root, symlinks kept as symlinks. A
 * Dockerfile read from stdin (`-f -`) is added under a random name, as the CLI does.
 *
 * @example const { tar, dockerfile } = await contextTar('.', 'Dockerfile');
 */
export async function contextTar(dir: string, dockerfile: string, stdinDockerfile?: Buffer): Promise<ContextTar> {
  const ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const entries: { path: string; dir: boolean }[] = [];
  for await (const e of walkDirectory(dir)) entries.push(e);
  const name = stdinDockerfile ? `__dockerfile-${randomBytes(8).toString('hex')}` : dockerfile;
  const paths = selectContextPaths(entries, DockerIgnore.parse(ignoreText), name);
  let total = 0;
  const count = (b: Buffer): Buffer => {
    total += b.length;
    return b;
  };
  async function* gen(): AsyncGenerator<Buffer> {
    for (const p of paths) {
      const abs = join(dir, p);
      const st = await lstat(abs);
      const h: TarWriteHeader = { name: p, type: 'file', mode: st.mode & 0o7777, uid: 0, gid: 0, size: 0, mtime: Math.floor(st.mtimeMs / 1000), linkname: '' };
      if (st.isDirectory()) yield count(encodeHeader({ ...h, name: `${p}/`, type: 'directory' }));
      else if (st.isSymbolicLink()) yield count(encodeHeader({ ...h, type: 'symlink', linkname: await readlink(abs) }));
      else if (st.isFile()) {
        yield count(encodeHeader({ ...h, size: st.size }));
        let n = 0;
        for await (const chunk of createReadStream(abs)) {
          n += (chunk as Buffer).length;
          yield count(chunk as Buffer);
        }
        if (n !== st.size) throw new Error(`${p} changed while it was read`);
        yield count(Buffer.alloc((BLOCK - (st.size % BLOCK)) % BLOCK));
      }
    }
    if (stdinDockerfile) {
      yield count(encodeHeader({ name, type: 'file', mode: 0o600, uid: 0, gid: 0, size: stdinDockerfile.length, mtime: Math.floor(Date.now() / 1000), linkname: '' }));
      yield count(stdinDockerfile);
      yield count(Buffer.alloc((BLOCK - (stdinDockerfile.length % BLOCK)) % BLOCK));
    }
    yield count(Buffer.alloc(BLOCK * 2));
  }
  return { tar: Readable.from(gen()), dockerfile: name, size: () => total };
}
