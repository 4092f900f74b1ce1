/**
 * What an Envoy's task role needs beyond `appmesh:StreamAggregatedResources`, from the TLS the service declares. Envoy
 * fetches ACM certificates and AWS Private CA certificates at run time with the TASK role (App Mesh proxy
 * authorization); the provider never reads them, and its own role has no ACM permission at all. Pure.
 *
 * Sources: App Mesh user guide, "Transport Layer Security (TLS)" (ACM certificates issued by AWS Private CA; proxy
 * authorization must be enabled) and AWS's App Mesh examples' Envoy proxy policy (`acm:ExportCertificate`,
 * `acm-pca:GetCertificateAuthorityCertificate`).
 */
import type { AppMeshModel, ClientTlsModel, VersionModel } from '../model';

export interface TaskRolePermission {
  readonly action: 'acm:ExportCertificate' | 'acm-pca:GetCertificateAuthorityCertificate';
  readonly resources: readonly string[];
  /** The property that needs it. */
  readonly why: string;
}

/** What the task role of `version`'s patched revision needs: its own listener certificate, the service's clients. */
export function taskRolePermissions(model: AppMeshModel, version: VersionModel): TaskRolePermission[] {
  const out: TaskRolePermission[] = [];
  const certificate = version.tls?.certificate;
  if (certificate?.kind === 'acm') {
    out.push({
      action: 'acm:ExportCertificate',
      resources: [certificate.certificateArn],
      why: version.ownCertificate ? `Versions.${version.name}.Tls.Certificate` : 'Tls.Certificate',
    });
  }
  const clients: [string, ClientTlsModel | undefined][] = [
    ['BackendDefaults.ClientTls', model.backendDefaults?.tls],
    ...model.backendPolicies.map((b, i): [string, ClientTlsModel] => [
      `BackendPolicies[${i}].ClientTls`,
      b.tls,
    ]),
  ];
  const authorities = new Map<string, string>();
  for (const [why, tls] of clients) {
    const trust = tls?.validation.trust;
    if (trust?.kind !== 'acm') continue;
    for (const arn of trust.certificateAuthorityArns) if (!authorities.has(arn)) authorities.set(arn, why);
  }
  if (authorities.size) {
    out.push({
      action: 'acm-pca:GetCertificateAuthorityCertificate',
      resources: [...authorities.keys()].sort(),
      why: [...new Set(authorities.values())].join(', '),
    });
  }
  return out;
}
