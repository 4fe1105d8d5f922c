import { EngineError } from '../shared/errors.js';

/**
 * An object whose async methods wait for `target` (a service still being built) and
 * then call through. Lets berthd listen (and answer `/_ping`) while heavy modules load
 * and containers are restored; API calls simply wait for the service.
 *
 * @example const images = deferred<ImageBackend>(servicesReady.then((s) => s.images));
 */
export function deferred<T extends object>(target: Promise<T>): T {
  target.catch(() => {});
  return new Proxy({} as T, {
    get(_, key) {
      if (key === 'then' || typeof key === 'symbol') return undefined;
      return async (...args: unknown[]) => {
        const t = (await target) as Record<string, unknown>;
        const fn = t[key];
        if (typeof fn !== 'function') throw new EngineError('not-implemented', `${key} is not implemented`);
        return (fn as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/**
 * A factory run on first use: modules most daemons never need (the builder, the registry
 * client) are imported and built by the first call, whose promise later calls share. A
 * failure is not kept: the next call tries again.
 *
 * @example const registry = lazy(() => import('../registry/client/index.js'));
 */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}
