export { createEngineServer, shutdownEngineServer, ENGINE_ROUTES, type EngineServerOptions } from './engine-server.js';
export { RouteTable, type Route, type Method } from './route-table.js';
export { errorStatus } from './error-status.js';
export { API_VERSION, MIN_API_VERSION, compareVersions, versionAtLeast, splitVersion } from './api-version.js';
export { frame, deframe, MULTIPLEXED_STREAM, RAW_STREAM } from './stdcopy.js';
export { JsonMessageStream, streamProgress } from './json-stream.js';
export { SERVER_HEADER, STANDARD_HEADERS } from './respond.js';
export type { RequestContext, Handler } from './context.js';
export type { ServerBackends, ImageBackend, ContainerBackend, SystemBackend, EventSource, ImagePuller, ImagePusher } from './backends.js';
