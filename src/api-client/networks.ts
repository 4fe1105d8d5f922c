import type { EndpointSettings, NetworkResource } from '../api/types.js';
import { encodeFilters } from './system.js';
import { type Transport, compareVersions, readAll } from './transport.js';

/** One `IPAM.Config` entry of a network create request. */
export interface IPAMPoolConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** Body of POST /networks/create (the docker CLI's field set). */
export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Scope?: string;
  /** Sent only when `--ipv4` was given (API 1.47+ daemons read it). */
  EnableIPv4?: boolean;
  /** Sent only when `--ipv6` was given. */
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string>; Config?: IPAMPoolConfig[] };
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network: string } | null;
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
  /** Set to true automatically below API 1.44, as Docker's client does. */
  CheckDuplicate?: boolean;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning?: string;
}

/** IPAM part of an endpoint (`--ip`, `--ip6`, `--link-local-ip`). */
export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/** Endpoint settings as the client sends them (create's NetworkingConfig, network connect). */
export interface EndpointConfig extends Omit<EndpointSettings, 'IPAMConfig'> {
  IPAMConfig?: EndpointIPAMConfig | null;
  /** API 1.48+; older daemons ignore it. */
  GwPriority?: number;
}

export interface NetworkPruneResult {
  NetworksDeleted: string[] | null;
}

export interface NetworkInspectOptions {
  verbose?: boolean;
  scope?: string;
}

const p = (id: string): string => `/networks/${encodeURIComponent(trimId('network', id))}`;

/**
 * Docker's client check on ids: trimmed, and an empty one is refused before any request.
 *
 * @example trimId('network', ' ') // throws "invalid network name or ID: value is empty"
 */
export function trimId(kind: 'network' | 'container', id: string): string {
  const v = id.trim();
  if (v === '') throw new Error(`invalid ${kind} name or ID: value is empty`);
  return v;
}

/** GET /networks */
export async function networkList(t: Transport, opts: { filters?: Record<string, string[]> } = {}): Promise<NetworkResource[]> {
  return t.json('/networks', { query: { filters: encodeFilters(opts.filters) } });
}

/** GET /networks/{id} */
export async function networkInspect(t: Transport, id: string, opts: NetworkInspectOptions = {}): Promise<NetworkResource> {
  return JSON.parse((await networkInspectRaw(t, id, opts)).toString('utf8')) as NetworkResource;
}

/** GET /networks/{id}, the reply bytes as sent (inspect prints them re-indented, not re-encoded). */
export async function networkInspectRaw(t: Transport, id: string, opts: NetworkInspectOptions = {}): Promise<Buffer> {
  const res = await t.request(p(id), { query: { verbose: opts.verbose ? 'true' : undefined, scope: opts.scope || undefined } });
  return readAll(res);
}

/** POST /networks/create; adds `CheckDuplicate: true` below API 1.44 like Docker's client. */
export async function networkCreate(t: Transport, req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
  const body = { ...req };
  if (body.CheckDuplicate === undefined && compareVersions(await t.apiVersion(), '1.44') < 0) body.CheckDuplicate = true;
  return t.json('/networks/create', { method: 'POST', body });
}

/** DELETE /networks/{id} */
export async function networkRemove(t: Transport, id: string): Promise<void> {
  await t.call(p(id), { method: 'DELETE' });
}

/** POST /networks/prune */
export async function networkPrune(t: Transport, filters?: Record<string, string[]>): Promise<NetworkPruneResult> {
  return t.json('/networks/prune', { method: 'POST', query: { filters: encodeFilters(filters) } });
}

/** POST /networks/{id}/connect */
export async function networkConnect(t: Transport, network: string, container: string, endpoint?: EndpointConfig): Promise<void> {
  const path = `${p(network)}/connect`;
  await t.call(path, { method: 'POST', body: { Container: trimId('container', container), EndpointConfig: endpoint ?? null } });
}

/** POST /networks/{id}/disconnect */
export async function networkDisconnect(t: Transport, network: string, container: string, force = false): Promise<void> {
  const path = `${p(network)}/disconnect`;
  await t.call(path, { method: 'POST', body: { Container: trimId('container', container), Force: force } });
}
