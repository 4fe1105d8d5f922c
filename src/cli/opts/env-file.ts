import { readFileSync } from 'node:fs';

/**
 * docker's `opts.ValidateEnv` for `-e`: `K=V` as is, a bare `K` takes its value from the
 * environment when set (else stays `K`); an empty name is an error.
 *
 * @example validateEnv('HOME', { HOME: '/root' }) // 'HOME=/root'
 */
export function validateEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  const i = value.indexOf('=');
  const key = i < 0 ? value : value.slice(0, i);
  if (key === '') throw new Error(`invalid environment variable: ${value}`);
  if (i >= 0) return value;
  const v = env[key];
  return v === undefined ? value : `${key}=${v}`;
}

/**
 * `--env-file` files then `-e` values, as docker's `ReadKVEnvStrings`: comment and blank lines
 * skipped, leading whitespace dropped, a bare `K` taken from the environment (dropped when
 * unset), names with whitespace refused in docker's words.
 *
 * @example readEnvFiles(['.env'], ['A=1'])
 */
export function readEnvFiles(files: string[], overrides: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
      throw new Error(`open ${file}: ${why}`);
    }
    try {
      out.push(...parseEnvFile(data, env));
    } catch (e) {
      throw new Error(`invalid env file (${file}): ${(e as Error).message}`);
    }
  }
  return [...out, ...overrides];
}

function parseEnvFile(data: Buffer, env: NodeJS.ProcessEnv): string[] {
  const lines: string[] = [];
  const raw = data.toString('latin1').split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  raw.forEach((latin, n) => {
    let bytes = Buffer.from(latin.endsWith('\r') ? latin.slice(0, -1) : latin, 'latin1');
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD'))) throw new Error(`invalid utf8 bytes at line ${n + 1}: [${[...bytes].join(' ')}]`);
    if (n === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    const line = bytes.toString('utf8').replace(/^\s+/u, '');
    if (line === '' || line.startsWith('#')) return;
    const i = line.indexOf('=');
    const key = i < 0 ? line : line.slice(0, i);
    if (key === '') throw new Error(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (i >= 0) lines.push(line);
    else if (env[key] !== undefined) lines.push(`${key}=${env[key]}`);
  });
  return lines;
}
