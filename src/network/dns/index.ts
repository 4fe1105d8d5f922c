export { EmbeddedDnsServer, type EmbeddedDnsOptions } from './embedded-dns-server.js';
export type { DnsScope, EmbeddedDns } from './dns-types.js';
export type { DnsLogger } from './warn-throttle.js';
