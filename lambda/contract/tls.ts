/** TLS: certificate and trust sources, listener TLS, client TLS policies (BackendDefaults, BackendPolicies). */
import { bool, type Infer, list, oneOf, optional, required, str, struct, withDefault } from './dsl';
import { absolutePath, acmArn, port, resourceName } from './values';

/** Where a listener's or a client's certificate comes from: exactly one source. */
export const certificateFields = {
  CertificateChain: optional(absolutePath(), {
    description: 'File: the certificate chain, a path in the Envoy container (with PrivateKey).',
    update: 'in-place' as const,
  }),
  PrivateKey: optional(absolutePath(), {
    description: 'File: the private key, a path in the Envoy container (with CertificateChain).',
    update: 'in-place' as const,
  }),
  SdsSecretName: optional(str({ min: 1, max: 255 }), {
    description: 'SDS: the name of the secret the SDS agent serves (needs Envoy.SdsSocketPath).',
    update: 'in-place' as const,
  }),
};

export function oneCertificateSource(
  c: {
    AcmCertificateArn?: unknown;
    CertificateChain?: unknown;
    PrivateKey?: unknown;
    SdsSecretName?: unknown;
  },
  report: (path: string, message: string) => void,
  acm: boolean,
): void {
  const sources = [
    ...(acm && c.AcmCertificateArn !== undefined ? ['AcmCertificateArn'] : []),
    ...(c.CertificateChain !== undefined || c.PrivateKey !== undefined
      ? ['CertificateChain and PrivateKey']
      : []),
    ...(c.SdsSecretName !== undefined ? ['SdsSecretName'] : []),
  ];
  const choices = acm
    ? 'AcmCertificateArn (ACM), CertificateChain with PrivateKey (files) or SdsSecretName (SDS)'
    : 'CertificateChain with PrivateKey (files) or SdsSecretName (SDS)';
  if (sources.length !== 1)
    report('', `give exactly one of ${choices}${sources.length ? `, got ${sources.join(', ')}` : ''}`);
  else if ((c.CertificateChain === undefined) !== (c.PrivateKey === undefined))
    report(
      c.CertificateChain === undefined ? 'CertificateChain' : 'PrivateKey',
      'a file certificate needs both CertificateChain and PrivateKey',
    );
}

export const ListenerTlsCertificate = struct(
  'ListenerTlsCertificate',
  {
    AcmCertificateArn: optional(
      acmArn(
        'acm',
        'certificate',
        'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
      ),
      {
        description:
          'ACM: a private certificate issued by AWS Private CA. Envoy fetches it at run time with the task role (proxy authorization): the task role needs `acm:ExportCertificate` on it; the provider never reads it.',
        update: 'in-place',
      },
    ),
    ...certificateFields,
  },
  {
    description: "The listener's certificate: ACM, files in the Envoy container, or SDS (exactly one).",
    refine: (c, report) => oneCertificateSource(c, report, true),
  },
);

export const ClientTlsCertificate = struct(
  'ClientTlsCertificate',
  { ...certificateFields },
  {
    description:
      'The client certificate Envoy presents to a backend that validates it (mutual TLS): files or SDS (App Mesh takes no ACM certificate here).',
    refine: (c, report) => oneCertificateSource(c, report, false),
  },
);

export const trustChain = {
  CertificateChain: optional(absolutePath(), {
    description: 'File: the trusted CA bundle, a path in the Envoy container.',
    update: 'in-place' as const,
  }),
  SdsSecretName: optional(str({ min: 1, max: 255 }), {
    description: 'SDS: the name of the trust bundle the SDS agent serves (needs Envoy.SdsSocketPath).',
    update: 'in-place' as const,
  }),
};

export function oneTrust(
  t: { AcmCertificateAuthorityArns?: unknown; CertificateChain?: unknown; SdsSecretName?: unknown },
  report: (path: string, message: string) => void,
  acm: boolean,
): void {
  const given = (['AcmCertificateAuthorityArns', 'CertificateChain', 'SdsSecretName'] as const).filter(
    (k) => t[k] !== undefined,
  );
  const choices = acm
    ? 'AcmCertificateAuthorityArns, CertificateChain or SdsSecretName'
    : 'CertificateChain or SdsSecretName';
  if (given.length !== 1)
    report('', `give exactly one of ${choices}${given.length ? `, got ${given.join(', ')}` : ''}`);
}

export const ListenerTlsTrust = struct(
  'ListenerTlsTrust',
  { ...trustChain },
  {
    description:
      'What the listener trusts to validate client certificates: a file or SDS (App Mesh takes no AWS Private CA trust on a listener).',
    refine: (t, report) => oneTrust(t, report, false),
  },
);

export const TlsTrust = struct(
  'TlsTrust',
  {
    AcmCertificateAuthorityArns: optional(
      list(
        acmArn(
          'acm-pca',
          'certificate-authority',
          'an AWS Private CA ARN (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)',
        ),
        { min: 1, max: 3, uniqueBy: { key: (a) => a, what: 'certificate authority' } },
      ),
      {
        description:
          'AWS Private CA: the certificate authorities whose certificates Envoy trusts. Envoy fetches them at run time with the task role, which needs `acm-pca:GetCertificateAuthorityCertificate` on them; the provider never reads them.',
        update: 'in-place',
      },
    ),
    ...trustChain,
  },
  {
    description:
      "What Envoy trusts to validate a backend's certificate: AWS Private CA, a file or SDS (exactly one).",
    refine: (t, report) => oneTrust(t, report, true),
  },
);

export const subjectAlternativeNames = () =>
  optional(list(str({ min: 1, max: 254 }), { min: 1, max: 25, uniqueBy: { key: (n) => n, what: 'name' } }), {
    description:
      "Subject alternative names the peer's certificate must carry (one of them, exactly). Without them a client checks the backend's service discovery name, and a listener checks no name.",
    update: 'in-place' as const,
  });

export const ListenerTlsValidation = struct(
  'ListenerTlsValidation',
  {
    Trust: required(ListenerTlsTrust, { description: 'The trusted CAs.', update: 'in-place' }),
    SubjectAlternativeNames: subjectAlternativeNames(),
  },
  { description: 'Mutual TLS: the listener asks clients for a certificate and validates it.' },
);

export const TlsValidation = struct(
  'TlsValidation',
  {
    Trust: required(TlsTrust, { description: 'The trusted CAs.', update: 'in-place' }),
    SubjectAlternativeNames: subjectAlternativeNames(),
  },
  { description: "How Envoy validates a backend's certificate." },
);

export const ListenerTls = struct(
  'ListenerTls',
  {
    Mode: required(oneOf('STRICT', 'PERMISSIVE', 'DISABLED').named('TlsMode'), {
      description:
        'STRICT accepts TLS only; PERMISSIVE accepts TLS and plain text (for a migration); DISABLED accepts plain text only.',
      update: 'in-place',
    }),
    Certificate: required(ListenerTlsCertificate, {
      description: "The listener's certificate.",
      update: 'in-place',
    }),
    Validation: optional(ListenerTlsValidation, {
      description: 'Mutual TLS: validate client certificates.',
      update: 'in-place',
    }),
  },
  { description: 'TLS of the virtual node listener: Envoy terminates TLS for the application.' },
);

export const VersionTls = struct(
  'VersionTls',
  {
    Certificate: optional(ListenerTlsCertificate, {
      description: "This version's listener certificate, instead of the service's `Tls.Certificate`.",
      defaultDoc: "the service's `Tls.Certificate`",
      update: 'in-place',
    }),
    Validation: optional(ListenerTlsValidation, {
      description: "This version's client-certificate validation, instead of the service's `Tls.Validation`.",
      defaultDoc: "the service's `Tls.Validation` (none without it)",
      update: 'in-place',
    }),
  },
  {
    description:
      "What one version's listener TLS has of its own (App Mesh `listeners[0].tls` of that version's virtual node): the same sources and rules as `Tls`, whose `Mode` it keeps.",
    refine: (t, report) => {
      if (t.Certificate === undefined && t.Validation === undefined)
        report('', 'give Certificate, Validation or both (what this version has of its own)');
    },
  },
);

export const ClientTls = struct(
  'ClientTls',
  {
    Enforce: withDefault(bool(), true, {
      description: 'Envoy originates TLS to the backend (false: the policy is kept but not applied).',
      update: 'in-place',
    }),
    Ports: optional(list(port(), { min: 1, max: 20, uniqueBy: { key: (p) => p, what: 'port' } }), {
      description: 'Backend ports the policy applies to.',
      defaultDoc: 'every port',
      update: 'in-place',
    }),
    Certificate: optional(ClientTlsCertificate, {
      description: 'Mutual TLS: the certificate Envoy presents when the backend asks for one.',
      update: 'in-place',
    }),
    Validation: required(TlsValidation, {
      description: "How Envoy validates the backend's certificate.",
      update: 'in-place',
    }),
  },
  { description: 'Client TLS policy: how Envoy connects to backends over TLS.' },
);

export const BackendDefaults = struct(
  'BackendDefaults',
  {
    ClientTls: optional(ClientTls, {
      description: 'The client TLS policy of every backend without its own in BackendPolicies.',
      update: 'in-place',
    }),
  },
  { description: 'Defaults for every backend of the virtual node (App Mesh `backendDefaults`).' },
);

export const BackendPolicy = struct(
  'BackendPolicy',
  {
    VirtualServiceName: required(resourceName(), {
      description: 'One of `Backends`.',
      update: 'in-place',
    }),
    ClientTls: required(ClientTls, {
      description: 'The client TLS policy for this backend.',
      update: 'in-place',
    }),
  },
  { description: "A backend's own client policy (App Mesh `backends[].virtualService.clientPolicy`)." },
);

export type ClientTlsProps = Infer<typeof ClientTls>;
