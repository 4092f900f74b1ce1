import { TaskDefinitionError } from '../../errors';

/**
 * Where App Mesh publishes its Envoy image, per Region.
 *
 * Sources: the App Mesh user guide ("Envoy image", 2026: 840364872350 for every supported Region except the ones
 * listed with their own account; FIPS only "in Regions found in the US and Canada") and the image release notes in
 * aws/aws-app-mesh-roadmap (issues #507, #509, #512: the same accounts, plus eu-south-2, eu-central-2 and the two
 * China Regions on `amazonaws.com.cn`).
 */

export type Partition =
  | 'aws'
  | 'aws-cn'
  | 'aws-us-gov'
  | 'aws-iso'
  | 'aws-iso-b'
  | 'aws-iso-e'
  | 'aws-iso-f'
  | 'aws-eusc';

export const ENVOY_REPOSITORY = 'aws-appmesh-envoy';

/** Regions whose image lives in the shared App Mesh account. Newer opt-in Regions have their own (below). */
const SHARED_ACCOUNT = '840364872350';
const SHARED_ACCOUNT_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
]);

/** Opt-in and China Regions: ECR in these Regions only serves images from an account of that Region. */
const REGION_ACCOUNTS: Readonly<Record<string, string>> = {
  'me-south-1': '772975370895',
  'ap-east-1': '856666278305',
  'ap-southeast-3': '909464085924',
  'eu-south-1': '422531588944',
  'af-south-1': '924023996002',
  'il-central-1': '564877687649',
  'eu-south-2': '992897592190',
  'eu-central-2': '704106688930',
  'cn-north-1': '919366029133',
  'cn-northwest-1': '919830735681',
};

/** "FIPS is only available in Regions found in the US and Canada" (App Mesh user guide, Envoy image). */
const FIPS_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
]);

const REGION_SHAPE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** The partition of a Region name; an unknown shape is an error rather than a guess of `aws`. */
export function partitionOf(region: string): Partition {
  if (!REGION_SHAPE.test(region)) {
    throw new TaskDefinitionError(`"${region}" is not an AWS Region name (expected e.g. us-east-1)`);
  }
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** The tag of the FIPS variant: `<version>-fips` (e.g. `v1.34.13.3-prod-fips`). */
export function fipsTag(version: string): string {
  if (version.endsWith('-prod-fips')) return version;
  if (!version.endsWith('-prod')) {
    throw new TaskDefinitionError(
      `Envoy version "${version}" has no FIPS variant: FIPS images are tagged <version>-prod-fips; set the Envoy version to a -prod tag such as v1.34.13.3-prod`,
    );
  }
  return `${version}-fips`;
}

/** True when a full image reference names the App Mesh Envoy repository, in any registry. */
export function isAppMeshEnvoyImage(image: string | undefined): boolean {
  return (
    repositoryOf(image ?? '')
      .split('/')
      .pop() === ENVOY_REPOSITORY
  );
}

/** `registry/path/name` of an image reference, without tag or digest. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

function tagOf(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : withoutDigest.slice(colon + 1);
}

/**
 * The Envoy image for a Region. Throws `TaskDefinitionError` (without a task definition name: the caller adds it)
 * for combinations App Mesh does not publish, instead of guessing a registry that may not exist:
 * - GovCloud: FIPS is mandatory there (the Envoy agent refuses a non-FIPS image), but App Mesh publishes no
 *   GovCloud registry account in its documentation or release notes, so the image must be given explicitly;
 * - ISO, ISO-B/E/F and European Sovereign Cloud partitions: App Mesh is not offered;
 * - a commercial Region App Mesh does not list (e.g. an opt-in Region launched later): unknown account;
 * - FIPS outside the US and Canada.
 */
export function envoyImage(region: string, opts: { version: string; fips: boolean; image?: string }): string {
  const partition = partitionOf(region);
  const fips = opts.fips || partition === 'aws-us-gov';
  if (opts.image !== undefined && opts.image !== '') {
    const tag = tagOf(opts.image);
    if (fips && isAppMeshEnvoyImage(opts.image) && tag !== undefined && !tag.endsWith('-fips')) {
      const why = opts.fips ? 'FIPS was requested' : `${region} is a GovCloud Region, which requires FIPS`;
      throw new TaskDefinitionError(
        `Envoy image ${opts.image} is not the FIPS variant but ${why}; use the tag ${tag}-fips (or a -prod-fips image of your own)`,
      );
    }
    return opts.image;
  }
  switch (partition) {
    case 'aws':
    case 'aws-cn':
      break;
    case 'aws-us-gov':
      throw new TaskDefinitionError(
        `App Mesh publishes no Envoy image registry for ${region}; GovCloud needs the FIPS image: copy aws-appmesh-envoy:${fipsTag(opts.version)} into an ECR repository of your GovCloud account and set the Envoy image to it`,
      );
    default:
      throw new TaskDefinitionError(
        `App Mesh is not available in ${region} (partition ${partition}); deploy the mesh service in a commercial, China or GovCloud Region`,
      );
  }
  const account =
    REGION_ACCOUNTS[region] ?? (SHARED_ACCOUNT_REGIONS.has(region) ? SHARED_ACCOUNT : undefined);
  if (account === undefined) {
    throw new TaskDefinitionError(
      `App Mesh publishes no Envoy image for ${region}; set the Envoy image explicitly (e.g. public.ecr.aws/appmesh/aws-appmesh-envoy:${opts.version}) or use a Region App Mesh supports`,
    );
  }
  if (fips && !FIPS_REGIONS.has(region)) {
    throw new TaskDefinitionError(
      `the FIPS Envoy image is only published in US and Canada Regions (${[...FIPS_REGIONS].join(', ')}), not ${region}; turn FIPS off or set the Envoy image explicitly`,
    );
  }
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  const tag = fips ? fipsTag(opts.version) : opts.version;
  return `${account}.dkr.ecr.${region}.${domain}/${ENVOY_REPOSITORY}:${tag}`;
}

/**
 * `registry/path:tag@digest` split strictly: a repository of lower-case path components, an optional tag of Docker's
 * characters, an optional sha256 digest. Anything else (spaces, `..`, a second `:`) is not an image reference.
 */
const IMAGE_REFERENCE =
  /^([a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/;

function referenceOf(image: string): { repository: string; pinned: boolean } | undefined {
  const m = IMAGE_REFERENCE.exec(image);
  if (!m) return undefined;
  return { repository: m[1]!, pinned: m[2] !== undefined || m[3] !== undefined };
}

/** The App Mesh Envoy repository App Mesh itself publishes for a Region (ECR), if it publishes one. */
function officialRegionalRepository(region: string): string | undefined {
  let partition: Partition;
  try {
    partition = partitionOf(region);
  } catch {
    return undefined;
  }
  if (partition !== 'aws' && partition !== 'aws-cn') return undefined;
  const account =
    REGION_ACCOUNTS[region] ?? (SHARED_ACCOUNT_REGIONS.has(region) ? SHARED_ACCOUNT : undefined);
  if (account === undefined) return undefined;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}/${ENVOY_REPOSITORY}`;
}

/** True for App Mesh's own Envoy image (its regional ECR repository or public.ecr.aws/appmesh), tag or digest given. */
export function isOfficialEnvoyImage(image: string, region: string): boolean {
  const ref = referenceOf(image);
  if (!ref?.pinned) return false;
  return (
    ref.repository === `public.ecr.aws/appmesh/${ENVOY_REPOSITORY}` ||
    ref.repository === officialRegionalRepository(region)
  );
}

/** True for AWS's own X-Ray daemon image (ECR Public, or Docker Hub's `amazon/`), tag or digest given. */
export function isOfficialXrayImage(image: string): boolean {
  const ref = referenceOf(image);
  if (!ref?.pinned) return false;
  return (
    ref.repository === 'public.ecr.aws/xray/aws-xray-daemon' || ref.repository === 'amazon/aws-xray-daemon'
  );
}
