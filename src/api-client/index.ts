export { ApiError, ConnectionError } from './api-error.js';
export { DEFAULT_HOST, parseHost, resolveHost, type DaemonHost } from './host.js';
export { Transport, MAX_API_VERSION, compareVersions, encodeQuery, readAll, type RequestOptions, type HijackedConnection, type QueryValue } from './transport.js';
export { FrameDemuxer, encodeFrame, STDIN, STDOUT, STDERR, SYSTEMERR } from './stdcopy.js';
export { jsonMessages } from './json-stream.js';
export { ping, version, info, events, encodeFilters, type VersionResult, type InfoResult, type EventMessage, type EventsOptions } from './system.js';
export {
  containerCreate,
  containerStart,
  containerStop,
  containerRestart,
  containerKill,
  containerWait,
  containerRemove,
  containerRename,
  containerList,
  containerInspect,
  containerResize,
  containerPause,
  containerUnpause,
  containerPrune,
  containerPorts,
  type ContainerCreateOptions,
  type StopOptions,
  type WaitCondition,
  type RemoveOptions,
  type ListOptions,
  type PruneResult,
} from './containers.js';
export { containerLogs, copyOutput, type LogsOptions } from './container-logs.js';
export { containerAttach, type AttachOptions, type AttachedStreams } from './container-attach.js';
export {
  imageList,
  imageInspect,
  imageHistory,
  imageTag,
  imageRemove,
  imageLoad,
  imageSave,
  imageImport,
  imagePull,
  imagePrune,
  splitRepoTag,
  type ImageListOptions,
  type ImageImportOptions,
} from './images.js';
export {
  networkList,
  networkInspect,
  networkInspectRaw,
  networkCreate,
  networkRemove,
  networkPrune,
  networkConnect,
  networkDisconnect,
  trimId,
  type NetworkCreateRequest,
  type NetworkCreateResponse,
  type NetworkInspectOptions,
  type NetworkPruneResult,
  type IPAMPoolConfig,
  type EndpointConfig,
  type EndpointIPAMConfig,
} from './networks.js';
export {
  volumeList,
  volumeCreate,
  volumeInspectRaw,
  volumeRemove,
  volumePrune,
  type VolumeCreateRequest,
  type VolumeSummary,
  type VolumeListResult,
  type VolumePruneResult,
} from './volumes.js';
