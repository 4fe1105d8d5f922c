import { EngineError } from '../../shared/errors.js';
import { basicCredentials, basicHeader, type AuthConfig } from './auth-config.js';
import { discard, httpRequest } from './http-request.js';
import { RegistrySession } from './registry-session.js';

/** `POST /auth` reply (Docker's shape). */
export interface LoginResult {
  Status: string;
  IdentityToken: string;
}

/** `https://index.docker.io/v1/` -> `docker.io`; `http://127.0.0.1:5000/v2/` -> `127.0.0.1:5000`. */
export function loginDomain(serveraddress: string | undefined): string {
  const s = (serveraddress ?? '').trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (!s || s === 'index.docker.io' || s === 'registry-1.docker.io' || s === 'docker.io') return 'docker.io';
  return s;
}

/**
 * `docker login` on the daemon side: checks the credentials against the registry's `/v2/`
 * (basic, or a bearer token from the challenge's realm). Throws EngineError('unauthorized')
 * with Docker's wording when they are refused.
 *
 * @example await checkLogin({ username: 'u', password: 'p', serveraddress: '127.0.0.1:5000' }, []) // {Status:'Login Succeeded'}
 */
export async function checkLogin(auth: AuthConfig, insecureRegistries: readonly string[]): Promise<LoginResult> {
  const session = new RegistrySession({ domain: loginDomain(auth.serveraddress), auth, insecureRegistries });
  const base = await session.ping();
  const endpoint = new URL('/v2/', base);
  const ch = session.authChallenge;
  const creds = basicCredentials(auth);
  if (ch) {
    let header: string | undefined;
    try {
      header = ch.scheme === 'basic' ? (creds ? basicHeader(creds) : undefined) : await session.authorization([]);
    } catch (err) {
      throw new EngineError('unauthorized', (err as Error).message, { cause: err });
    }
    const res = await httpRequest(endpoint, { headers: header ? { Authorization: header } : {}, insecureTLS: session.insecure, ca: session.ca, timeoutMs: 15_000 });
    discard(res);
    if (res.statusCode !== 200) {
      throw new EngineError('unauthorized', `login attempt to ${endpoint.href} failed with status: ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
    }
  }
  return { Status: 'Login Succeeded', IdentityToken: '' };
}
