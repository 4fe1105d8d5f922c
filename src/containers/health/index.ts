export { HealthMonitor } from './health-monitor.js';
export { execProbeRunner, killTree, type ProbeRunner } from './probe-runner.js';
export {
  probePlan,
  validateHealthConfig,
  mergeHealthcheck,
  goDuration,
  type ProbePlan,
  DEFAULT_INTERVAL_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_RETRIES,
} from './health-config.js';
export {
  applyProbeResult,
  startingHealth,
  healthText,
  healthFilterValue,
  HEALTH_FILTER_VALUES,
  LimitedOutput,
  MAX_LOG_ENTRIES,
  MAX_OUTPUT_LEN,
} from './health-state.js';
