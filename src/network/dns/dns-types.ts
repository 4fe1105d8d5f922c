/**
 * The contract between berth's embedded DNS server (src/network/dns) and the network module
 * that knows which containers are on which network.
 *
 * One server object serves every user-defined network: it listens on each network's gateway
 * address at a private port (the network module DNATs `<gateway>:53` to it), so it never
 * takes port 53 on an address another service uses. A query is identified by the address it
 * arrived at (`server`: the network's gateway) and the address it came from (`client`: the
 * asking container's address on that network); the scope decides what that container may see.
 */
export interface DnsScope {
  /**
   * IPv4 addresses for `name` (no trailing dot, any case) as seen by the container at
   * `client` that asked on `server`; `undefined` when it is not a container name, alias or
   * short ID on any network that container shares (the query is then forwarded upstream).
   * An empty array means "known name, no IPv4 address" (answer NOERROR with no records).
   */
  lookup(server: string, client: string, name: string): string[] | undefined;
  /** PTR name (e.g. `web.mynet`) for a container address, `undefined` when not ours. */
  reverse(server: string, client: string, address: string): string | undefined;
  /**
   * Upstream resolvers for names that are not containers' (`ip` or `ip:port`), in order;
   * `[]` means no forwarding (internal networks).
   */
  upstreams(server: string, client: string): string[];
}

/** The embedded resolver: UDP and TCP on each network gateway address it is told to serve. */
export interface EmbeddedDns {
  /** Starts answering on `address:port` (UDP and TCP); `port` 0 picks a free one. Resolves with the port. */
  listen(address: string, port: number): Promise<number>;
  /** Stops answering on `address`. */
  unlisten(address: string): Promise<void>;
  /** Stops everything. */
  close(): Promise<void>;
}
