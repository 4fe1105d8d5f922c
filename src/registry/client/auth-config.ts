/**
 * Registry credentials as Docker passes them: the `X-Registry-Auth` header (base64url JSON)
 * on pull/push and the JSON body of `POST /auth`.
 */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 `user:pass` (config.json style). */
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Decodes an `X-Registry-Auth` header (base64 or base64url JSON); bad input means anonymous. */
export function decodeAuthHeader(header: string | undefined): AuthConfig {
  if (!header) return {};
  try {
    const obj = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown;
    return obj && typeof obj === 'object' ? (obj as AuthConfig) : {};
  } catch {
    return {};
  }
}

/** Encodes credentials the way the docker CLI does for `X-Registry-Auth` (base64url JSON). */
export function encodeAuthHeader(a: AuthConfig): string {
  return Buffer.from(JSON.stringify(a)).toString('base64url');
}

/** Username/password from an AuthConfig (`auth` field decoded when the pair is missing). */
export function basicCredentials(a: AuthConfig | undefined): { username: string; password: string } | undefined {
  if (!a) return undefined;
  if (a.username && a.password !== undefined && a.password !== '') return { username: a.username, password: a.password };
  if (a.auth) {
    const s = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = s.indexOf(':');
    if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
  }
  return undefined;
}

/** `Basic base64(user:pass)` */
export function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
