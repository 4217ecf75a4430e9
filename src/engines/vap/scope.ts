/**
 * Offline knowledge the API server would take from discovery: which built-in kinds are cluster-scoped, and the
 * resource name of a kind. Unknown kinds (CRDs) are treated as namespaced unless the object says otherwise.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'PodSecurityPolicy',
  'ComponentStatus',
  'ClusterPolicy',
  'ValidatingPolicy',
  'ImageValidatingPolicy',
  'MutatingPolicy',
  'GeneratingPolicy',
  'DeletingPolicy',
  'ConstraintTemplate',
  'KubeArmorClusterPolicy',
  'KubeArmorHostPolicy',
  'IPAddress',
  'ServiceCIDR',
  'DeviceClass',
]);

export function isClusterScopedKind(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

const IRREGULAR: Record<string, string> = {
  Endpoints: 'endpoints',
  ComponentStatus: 'componentstatuses',
};

/** Resource (plural) of a kind following the API server's default pluralisation. */
export function pluralOf(kind: string): string {
  const irregular = IRREGULAR[kind];
  if (irregular) return irregular;
  const lower = kind.toLowerCase();
  if (lower.endsWith('s') || lower.endsWith('x') || lower.endsWith('ch') || lower.endsWith('sh')) return lower + 'es';
  if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return lower.slice(0, -1) + 'ies';
  return lower + 's';
}
