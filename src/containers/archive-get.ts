import { Readable } from 'node:stream';
import { tarPath } from '../archive/index.js';

export function tarPathStream(host: string, rebase: string, onClose: () => void): Readable {
  const s = Readable.from(tarPath(host, rebase), { objectMode: false });
  let done = false;
  const once = (): void => {
    if (!done) {
      done = true;
      onClose();
    }
  };
  s.once('close', once);
  s.once('end', once);
  s.once('error', once);
  return s;
}
