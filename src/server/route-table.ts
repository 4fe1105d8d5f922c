import type { Handler } from './context.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** One row of the route table: `{id}` matches one path segment, `{name*}` matches across slashes. */
export interface Route {
  method: Method;
  path: string;
  handler: Handler;
}

interface Compiled {
  method: Method;
  re: RegExp;
  names: string[];
  handler: Handler;
}

/**
 * Matches method + path against a table of routes, first match wins.
 *
 * @example
 *   const rt = new RouteTable([{ method: 'GET', path: '/containers/{id}/json', handler }]);
 *   rt.match('GET', '/containers/abc/json') // { handler, params: { id: 'abc' } }
 */
export class RouteTable {
  /** The routes of each method, in table order. */
  private readonly byMethod = new Map<string, Compiled[]>();

  constructor(routes: Route[]) {
    for (const r of routes.map((x) => compile(x))) {
      const list = this.byMethod.get(r.method) ?? [];
      list.push(r);
      this.byMethod.set(r.method, list);
    }
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const r of this.byMethod.get(method) ?? []) {
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = m[i + 1]));
      return { handler: r.handler, params };
    }
    return undefined;
  }
}

function compile(r: Route): Compiled {
  const names: string[] = [];
  const src = r.path
    .split(/(\{[a-zA-Z]+\*?\})/)
    .map((part) => {
      const p = /^\{([a-zA-Z]+)(\*?)\}$/.exec(part);
      if (!p) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(p[1]);
      return p[2] ? '(.+)' : '([^/]+)';
    })
    .join('');
  return { method: r.method, re: new RegExp(`^${src}$`), names, handler: r.handler };
}
