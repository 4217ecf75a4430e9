export { createWebhook, summarize, type Webhook, type WebhookOptions } from './webhook.js';
export { AdmissionHandler, type AdmissionScope, type FailurePolicy, type FindingRecorder } from './admission.js';
export { WebhookServer, deadlineMs, DEFAULT_MAX_BODY_BYTES } from './http.js';
export { WebhookMetrics } from './metrics.js';
export { PolicySetHolder, fingerprintPaths, type PolicyLoader } from './reload.js';
export { parseAdmissionReview, reviewResponseJson, REVIEW_API_VERSION } from './review.js';
