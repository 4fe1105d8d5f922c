import { mkdir, readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import type { ContainerCreateRequest, ContainerCreateResponse, EndpointSettings } from '../api/types.js';
import { invalid, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { SCHEMA_VERSION, initialState, type ContainerRecord, type MountPointRecord } from './container-record.js';
import { networkList, parseLink, writeHostFiles } from './networking.js';
import { mergeConfig, networkKind, normalizeHostConfig, pathAndArgs } from './merge-config.js';
import { applyHostDefaults } from './host-defaults.js';
import type { ServiceContext } from './service-context.js';
import { dropVolumes, planMounts, resolveMounts } from './volume-mounts.js';
import { validateHealthConfig } from './health/health-config.js';

async function defaultHostFiles(): Promise<{ resolvConf: string; hosts: string; hostname: string }> {
  const read = (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');
  return { resolvConf: await read('/etc/resolv.conf'), hosts: await read('/etc/hosts'), hostname: osHostname() };
}

/**
 * `POST /containers/create`: resolve the image, merge configs, reserve the name, write the
 * host files, prepare the rootfs snapshot (key = container id, parent = image top ChainID),
 * persist. Everything done is undone when a later step fails.
 */
export async function createContainer(ctx: ServiceContext, req: ContainerCreateRequest, opts: { name?: string; platform?: string }): Promise<ContainerCreateResponse> {
  if (!req.Image) throw invalid('No image specified');
  validateHealthConfig(req.Healthcheck);
  const image = await ctx.deps.images.resolve(req.Image);
  const hostConfig = applyHostDefaults(normalizeHostConfig(req.HostConfig), { runtime: ctx.deps.runtime.name, logDriver: ctx.deps.logConfig?.Type, logOpts: ctx.deps.logConfig?.Config });
  const warnings = [...(ctx.deps.spec.validate(hostConfig, req) ?? [])];
  const config = mergeConfig(req, image.config, req.Image);
  const mountPlan = planMounts(ctx, hostConfig, config);
  const net = networkKind(hostConfig.NetworkMode);
  // container:<name> is recorded by ID, and the joining container takes the target's hostname (Docker).
  const joined = net.kind === 'container' ? ctx.get(net.ref) : undefined;
  if (joined) hostConfig.NetworkMode = `container:${joined.id}`;
  for (const key of ['IpcMode', 'PidMode'] as const) {
    const mode = hostConfig[key];
    if (mode?.startsWith('container:')) hostConfig[key] = `container:${ctx.get(mode.slice(10)).id}`;
  }
  const networking = endpointsByName(req.NetworkingConfig?.EndpointsConfig ?? {}, net);
  if (net.kind === 'network' && ctx.deps.network) ctx.deps.network.check({ networks: networkList({ hostConfig, networking, config }) });
  const host = ctx.deps.hostFiles ? ctx.deps.hostFiles() : await defaultHostFiles();

  const id = newId();
  const hostname = net.kind === 'host' ? host.hostname : joined ? (joined.config.Hostname ?? joined.id.slice(0, 12)) : config.Hostname || id.slice(0, 12);
  config.Hostname = hostname;
  const name = opts.name ? ctx.names.reserve(opts.name, id) : ctx.names.reserveGenerated(id);
  try {
    hostConfig.Links = normalizeLinks(ctx, hostConfig.Links, name);
  } catch (err) {
    ctx.names.forget(id, name);
    throw err;
  }
  const p = ctx.paths(id);
  let prepared = false;
  let mounts: MountPointRecord[] | undefined;
  try {
    // The container's files and its rootfs snapshot are independent: make them together.
    const snapshot = ctx.deps.snapshots.prepare(id, image.topChainId).then(() => {
      prepared = true;
    });
    const files = mkdir(p.dir, { recursive: true }).then(() =>
      writeHostFiles(p, hostname, net.kind === 'host' ? 'host' : 'none', hostConfig, host, config.Domainname),
    );
    const [a, b] = await Promise.allSettled([snapshot, files]);
    for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
    mounts = await resolveMounts(ctx, id, mountPlan, hostConfig);
    const { path, args } = pathAndArgs(config);
    const rec: ContainerRecord = {
      schemaVersion: SCHEMA_VERSION,
      id,
      name,
      created: ctx.clock.stamp(),
      image: { id: image.id, name: req.Image },
      path,
      args,
      config,
      hostConfig,
      networking,
      snapshotKey: id,
      runtime: hostConfig.Runtime || ctx.deps.runtime.name,
      platform: image.os || 'linux',
      logPath: p.log,
      hostnamePath: p.hostname,
      hostsPath: p.hosts,
      resolvConfPath: p.resolvConf,
      mounts,
      state: initialState(),
    };
    ctx.records.set(id, rec);
    ctx.names.addId(id);
    await ctx.save(rec);
  } catch (err) {
    ctx.records.delete(id);
    ctx.names.forget(id, name);
    if (mounts) await dropVolumes(ctx, id, mounts, true);
    if (prepared) await ctx.deps.snapshots.remove(id).catch(() => {});
    await ctx.store.remove(id).catch(() => {});
    throw err;
  }
  const created = ctx.records.get(id);
  if (created) ctx.emit(created, 'create');
  if (net.kind === 'host' && Object.keys(hostConfig.PortBindings ?? {}).length) warnings.push('Published ports are discarded when using host network mode');
  return { Id: id, Warnings: warnings };
}

/**
 * The endpoint configs a container asks for, keyed by network name: the NetworkMode's network
 * always has an entry (`default` is recorded as `bridge`); host/none/container modes have none.
 */
function endpointsByName(cfg: Record<string, EndpointSettings>, net: ReturnType<typeof networkKind>): Record<string, EndpointSettings> {
  if (net.kind !== 'network') return {};
  const out: Record<string, EndpointSettings> = {};
  for (const [k, v] of Object.entries(cfg)) out[k === 'default' ? 'bridge' : k] = v ?? {};
  out[net.name] ??= {};
  return out;
}

/** `--link db:alias` is recorded as Docker shows it (`/db:/self/alias`); the target must exist. */
function normalizeLinks(ctx: ServiceContext, links: string[] | null | undefined, self: string): string[] | null {
  if (!links?.length) return links ?? null;
  return links.map((l) => {
    const { name, alias } = parseLink(l);
    let target;
    try {
      target = ctx.get(name);
    } catch {
      throw notFound(`Could not get container for ${name}`);
    }
    return `${target.name}:${self}/${alias}`;
  });
}
