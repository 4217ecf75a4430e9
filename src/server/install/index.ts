export {
  checkInstallOptions,
  CONFIG_MOUNT,
  defaultInstallOptions,
  installManifests,
  type InstallOptions,
  type PolicyPayload,
} from './manifests.js';
export { renderManifests } from './render.js';
export {
  CONTROL_PLANE_MATCH_CONDITIONS,
  DEFAULT_EXEMPT_NAMESPACES,
  WORKLOAD_RULES,
  webhookConfigurations,
  type FailurePolicy,
  type ResourceRule,
  type WebhookSettings,
} from './webhooks.js';
