import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';

/**
 * htpasswd basic auth, bcrypt entries only (`user:$2y$...`), as the distribution registry
 * supports. The file is read once at start.
 */
export class Htpasswd {
  private readonly users = new Map<string, string>();

  constructor(path: string) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const t = line.trim();
      if (!t || t.startsWith('#')) continue;
      const i = t.indexOf(':');
      if (i > 0) this.users.set(t.slice(0, i), t.slice(i + 1));
    }
  }

  /** Checks an `Authorization` header value; returns the user name or undefined. */
  verify(header: string | undefined): string | undefined {
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const user = decoded.slice(0, i);
    const hash = this.users.get(user);
    if (!hash || !hash.startsWith('$2')) return undefined;
    return bcrypt.compareSync(decoded.slice(i + 1), hash.replace(/^\$2y\$/, '$2a$')) ? user : undefined;
  }
}
