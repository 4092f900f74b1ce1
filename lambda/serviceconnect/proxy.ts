/**
 * What of an App Mesh listener carries over to the Service Connect proxy ECS runs: access logs
 * (`ServiceConnectConfiguration.AccessLogConfiguration`, Format TEXT or JSON: ECS's own fields, so custom ones are
 * lost), listener timeouts (`Services[].Timeout`, whole seconds) and TLS (`Services[].Tls`: one-way TLS with an AWS
 * Private CA, whose certificates ECS issues and rotates; no mutual TLS, no file or SDS certificate). The contract
 * rules, the model and the attributes, side by side. Pure.
 */
import type { AttributeDoc } from '../contract/attributes';
import { optional, required, str, struct } from '../contract/dsl';
import { acmArn, known, type Report } from '../contract/values';

export const ServiceConnectTls = struct(
  'ServiceConnectTls',
  {
    AwsPcaAuthorityArn: required(
      acmArn(
        'acm-pca',
        'certificate-authority',
        'an AWS Private CA ARN (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)',
      ),
      {
        description:
          'The AWS Private CA ECS issues the service’s certificates from (`Tls.IssuerCertificateAuthority.AwsPcaAuthorityArn`).',
        update: 'in-place',
      },
    ),
    KmsKey: optional(str({ min: 1, max: 2048 }), {
      description: 'The KMS key (ARN or id) ECS encrypts the private keys with (`Tls.KmsKey`).',
      defaultDoc: 'an AWS owned key',
      update: 'in-place',
    }),
    RoleArn: optional(
      str({
        min: 20,
        max: 2048,
        pattern: /^arn:[^:]+:iam::\d{12}:role\/.+$/,
        patternHint: 'an IAM role ARN',
      }),
      {
        description:
          'The ECS infrastructure role that issues the certificates from the CA (`Tls.RoleArn`; it needs the AWS Private CA and KMS permissions, docs/migration.md).',
        update: 'in-place',
      },
    ),
  },
  {
    description:
      "Service Connect TLS: one-way TLS 1.3 between the service's Service Connect proxies, certificates issued and rotated by ECS from an AWS Private CA (`ServiceConnectConfiguration.Services[].Tls`).",
  },
);

/** What the proxy rules read of the properties. */
interface ProxyView {
  readonly Tls?: {
    readonly Mode?: string;
    readonly Certificate?: {
      readonly AcmCertificateArn?: string;
      readonly CertificateChain?: string;
      readonly PrivateKey?: string;
      readonly SdsSecretName?: string;
    };
    readonly Validation?: unknown;
  };
  readonly ListenerTimeout?: { readonly IdleMillis?: number; readonly PerRequestMillis?: number };
  readonly Routes?: readonly { readonly Timeout?: unknown }[];
  readonly AccessLogFormat?: { readonly Text?: string; readonly Json?: unknown };
  readonly ServiceConnect?: { readonly Tls?: unknown };
}

export const PROXY_REFUSAL = {
  mutualTls:
    'Service Connect TLS is one-way: it has no mutual TLS (no client certificate validation); remove Tls.Validation, or keep mutual TLS on the VPC Lattice backend (Backend: VpcLattice, coming) or in the application',
  fileOrSds:
    'Service Connect takes no file or SDS certificate: ECS issues and rotates the certificates from an AWS Private CA; give Tls.Certificate.AcmCertificateArn (a private certificate of that CA) and ServiceConnect.Tls.AwsPcaAuthorityArn, or remove Tls',
  issuer:
    'Service Connect TLS needs the AWS Private CA that ECS issues the certificates from (App Mesh took the certificate itself): give ServiceConnect.Tls.AwsPcaAuthorityArn (the CA that issued Tls.Certificate.AcmCertificateArn), and ServiceConnect.Tls.RoleArn for the infrastructure role',
  timeouts:
    'give the timeouts once: ListenerTimeout or Routes[0].Timeout (both become ServiceConnectConfiguration.Services[].Timeout); remove one',
  timeoutSeconds: 'Service Connect timeouts are whole seconds; give a multiple of 1000',
} as const;

export function proxyRules(p: ProxyView, report: Report): void {
  const tls = known(p.Tls) ? p.Tls : undefined;
  if (tls) {
    if (tls.Validation !== undefined) report('Tls.Validation', PROXY_REFUSAL.mutualTls);
    const c = known(tls.Certificate) ? tls.Certificate : undefined;
    if (
      c &&
      (c.CertificateChain !== undefined || c.PrivateKey !== undefined || c.SdsSecretName !== undefined)
    )
      report('Tls.Certificate', PROXY_REFUSAL.fileOrSds);
    else if (tls.Mode !== 'DISABLED' && (!known(p.ServiceConnect) || p.ServiceConnect.Tls === undefined))
      report('ServiceConnect.Tls', PROXY_REFUSAL.issuer);
  }
  const listener = known(p.ListenerTimeout) ? p.ListenerTimeout : undefined;
  if (listener) {
    if (known(p.Routes) && p.Routes.some((r) => known(r) && r.Timeout !== undefined))
      report('ListenerTimeout', PROXY_REFUSAL.timeouts);
    for (const key of ['IdleMillis', 'PerRequestMillis'] as const) {
      const ms = listener[key];
      if (known(ms) && ms % 1000 !== 0) report(`ListenerTimeout.${key}`, PROXY_REFUSAL.timeoutSeconds);
    }
  }
}

export function proxyWarnings(p: ProxyView): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (p.AccessLogFormat !== undefined) {
    out.push({
      path: 'AccessLogFormat',
      message: `mapped to ServiceConnectConfiguration.AccessLogConfiguration Format ${p.AccessLogFormat.Json !== undefined ? 'JSON' : 'TEXT'} (attribute AccessLogFormat): ECS logs its own fields in that format, so the custom fields and their order are lost; the logs go to ServiceConnectConfiguration.LogConfiguration, which ECS requires with access logs`,
    });
  }
  if (p.Tls !== undefined && p.Tls.Mode !== 'DISABLED' && p.ServiceConnect?.Tls !== undefined) {
    out.push({
      path: 'Tls',
      message:
        'mapped to ServiceConnectConfiguration.Services[].Tls (attributes TlsAwsPcaAuthorityArn, TlsKmsKey, TlsRoleArn): ECS issues and rotates the certificates from ServiceConnect.Tls.AwsPcaAuthorityArn, so Tls.Certificate and Tls.Mode are not used (PERMISSIVE has no equivalent: a service with Tls takes TLS only)',
    });
  }
  return out;
}

/** The proxy settings of the model. */
export interface ProxyModel {
  readonly accessLogFormat?: 'TEXT' | 'JSON';
  readonly tls?: { readonly awsPcaAuthorityArn: string; readonly kmsKey?: string; readonly roleArn?: string };
}

export function proxyModel(p: {
  readonly AccessLogFormat?: { readonly Json?: unknown };
  readonly ServiceConnect?: {
    readonly Tls?: { AwsPcaAuthorityArn: string; KmsKey?: string; RoleArn?: string };
  };
}): ProxyModel {
  const tls = p.ServiceConnect?.Tls;
  return {
    ...(p.AccessLogFormat ? { accessLogFormat: p.AccessLogFormat.Json !== undefined ? 'JSON' : 'TEXT' } : {}),
    ...(tls
      ? {
          tls: {
            awsPcaAuthorityArn: tls.AwsPcaAuthorityArn,
            ...(tls.KmsKey !== undefined ? { kmsKey: tls.KmsKey } : {}),
            ...(tls.RoleArn !== undefined ? { roleArn: tls.RoleArn } : {}),
          },
        }
      : {}),
  };
}

/** The route's timeouts, or else the listener's: Services[].Timeout. */
export function timeoutMillisOf(p: {
  readonly ListenerTimeout?: { readonly IdleMillis?: number; readonly PerRequestMillis?: number };
  readonly Routes?: readonly { readonly Timeout?: { IdleMillis?: number; PerRequestMillis?: number } }[];
}): { IdleMillis?: number; PerRequestMillis?: number } | undefined {
  return p.Routes?.find((r) => r.Timeout !== undefined)?.Timeout ?? p.ListenerTimeout;
}

export const PROXY_ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'AccessLogFormat',
    description:
      'Service Connect: `ServiceConnectConfiguration.AccessLogConfiguration.Format`, TEXT or JSON, from AccessLogFormat (Text or Json; its custom fields are not carried over).',
    presentWhen: 'Backend is ServiceConnect and AccessLogFormat is given',
  },
  {
    name: 'TlsAwsPcaAuthorityArn',
    description: 'Service Connect: `Services[].Tls.IssuerCertificateAuthority.AwsPcaAuthorityArn`.',
    presentWhen: 'Backend is ServiceConnect and ServiceConnect.Tls is given',
  },
  {
    name: 'TlsKmsKey',
    description: 'Service Connect: `Services[].Tls.KmsKey`.',
    presentWhen: 'ServiceConnect.Tls.KmsKey is given',
  },
  {
    name: 'TlsRoleArn',
    description: 'Service Connect: `Services[].Tls.RoleArn`.',
    presentWhen: 'ServiceConnect.Tls.RoleArn is given',
  },
];

export function proxyAttributes(proxy: ProxyModel): Record<string, string> {
  const out: Record<string, string> = {};
  if (proxy.accessLogFormat) out.AccessLogFormat = proxy.accessLogFormat;
  if (proxy.tls) {
    out.TlsAwsPcaAuthorityArn = proxy.tls.awsPcaAuthorityArn;
    if (proxy.tls.kmsKey !== undefined) out.TlsKmsKey = proxy.tls.kmsKey;
    if (proxy.tls.roleArn !== undefined) out.TlsRoleArn = proxy.tls.roleArn;
  }
  return out;
}
