import {
  envoyImage,
  fipsTag,
  isAppMeshEnvoyImage,
  partitionOf,
  repositoryOf,
} from '../../lambda/appmesh/envoy/image';
import { DEFAULT_ENVOY_VERSION } from '../../lambda/appmesh/envoy/options';
import { TaskDefinitionError } from '../../lambda/errors';

const V = DEFAULT_ENVOY_VERSION;

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('GIVEN %s THEN the partition is %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it.each(['', 'useast1', 'US-EAST-1', 'us-east', 'arn:aws:us-east-1'])(
    'GIVEN the malformed Region "%s" THEN it fails instead of guessing',
    (region) => {
      expect(() => partitionOf(region)).toThrow(TaskDefinitionError);
    },
  );
});

describe('envoyImage', () => {
  it.each([
    [
      'a standard Region',
      'us-west-2',
      false,
      `840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'another standard Region',
      'ap-northeast-3',
      false,
      `840364872350.dkr.ecr.ap-northeast-3.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in me-south-1',
      'me-south-1',
      false,
      `772975370895.dkr.ecr.me-south-1.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in ap-east-1',
      'ap-east-1',
      false,
      `856666278305.dkr.ecr.ap-east-1.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in ap-southeast-3',
      'ap-southeast-3',
      false,
      `909464085924.dkr.ecr.ap-southeast-3.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in eu-south-1',
      'eu-south-1',
      false,
      `422531588944.dkr.ecr.eu-south-1.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in af-south-1',
      'af-south-1',
      false,
      `924023996002.dkr.ecr.af-south-1.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in il-central-1',
      'il-central-1',
      false,
      `564877687649.dkr.ecr.il-central-1.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in eu-south-2',
      'eu-south-2',
      false,
      `992897592190.dkr.ecr.eu-south-2.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'the opt-in eu-central-2',
      'eu-central-2',
      false,
      `704106688930.dkr.ecr.eu-central-2.amazonaws.com/aws-appmesh-envoy:${V}`,
    ],
    [
      'China (Beijing)',
      'cn-north-1',
      false,
      `919366029133.dkr.ecr.cn-north-1.amazonaws.com.cn/aws-appmesh-envoy:${V}`,
    ],
    [
      'China (Ningxia)',
      'cn-northwest-1',
      false,
      `919830735681.dkr.ecr.cn-northwest-1.amazonaws.com.cn/aws-appmesh-envoy:${V}`,
    ],
    [
      'FIPS in us-east-1',
      'us-east-1',
      true,
      `840364872350.dkr.ecr.us-east-1.amazonaws.com/aws-appmesh-envoy:${V}-fips`,
    ],
    [
      'FIPS in ca-central-1',
      'ca-central-1',
      true,
      `840364872350.dkr.ecr.ca-central-1.amazonaws.com/aws-appmesh-envoy:${V}-fips`,
    ],
  ])('GIVEN %s (fips %s) THEN the image is %s', (_what, region, fips, image) => {
    expect(envoyImage(region, { version: V, fips })).toBe(image);
  });

  it('GIVEN a version already tagged -prod-fips WHEN FIPS is asked THEN the suffix is not doubled', () => {
    expect(envoyImage('us-east-2', { version: `${V}-fips`, fips: true })).toBe(
      `840364872350.dkr.ecr.us-east-2.amazonaws.com/aws-appmesh-envoy:${V}-fips`,
    );
  });

  it('GIVEN an image override THEN it is used as given, in any Region', () => {
    const image = 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.39.1.0-prod';
    expect(envoyImage('ap-southeast-5', { version: V, fips: false, image })).toBe(image);
  });

  it('GIVEN a GovCloud Region and a FIPS image override THEN the override is used', () => {
    const image =
      '111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/mirror/aws-appmesh-envoy:v1.34.13.3-prod-fips';
    expect(envoyImage('us-gov-west-1', { version: V, fips: false, image })).toBe(image);
  });

  it.each<[string, string, { fips: boolean; image?: string; version?: string }, RegExp]>([
    [
      'GovCloud without an override',
      'us-gov-west-1',
      { fips: false },
      /no Envoy image registry for us-gov-west-1.*-prod-fips/,
    ],
    [
      'GovCloud with a non-FIPS App Mesh image',
      'us-gov-east-1',
      { fips: false, image: 'mirror.example.com/aws-appmesh-envoy:v1.34.13.3-prod' },
      /GovCloud Region, which requires FIPS; use the tag v1.34.13.3-prod-fips/,
    ],
    [
      'FIPS requested with a non-FIPS App Mesh image',
      'us-east-1',
      { fips: true, image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.34.13.3-prod' },
      /not the FIPS variant but FIPS was requested/,
    ],
    [
      'FIPS outside the US and Canada',
      'eu-west-1',
      { fips: true },
      /only published in US and Canada Regions.*not eu-west-1/,
    ],
    ['FIPS in China', 'cn-north-1', { fips: true }, /not cn-north-1/],
    [
      'FIPS with a version that has no FIPS variant',
      'us-east-1',
      { fips: true, version: 'v1.34.13.3' },
      /no FIPS variant/,
    ],
    [
      'an ISO Region',
      'us-iso-east-1',
      { fips: false },
      /not available in us-iso-east-1 \(partition aws-iso\)/,
    ],
    ['the European Sovereign Cloud', 'eusc-de-east-1', { fips: false }, /not available in eusc-de-east-1/],
    [
      'a commercial Region App Mesh does not list',
      'ap-southeast-5',
      { fips: false },
      /publishes no Envoy image for ap-southeast-5; set the Envoy image/,
    ],
  ])('GIVEN %s THEN it fails clearly', (_what, region, opts, message) => {
    const call = () => envoyImage(region, { version: opts.version ?? V, fips: opts.fips, image: opts.image });
    expect(call).toThrow(TaskDefinitionError);
    expect(call).toThrow(message);
  });
});

describe('image helpers', () => {
  it.each([
    ['840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.34.13.3-prod', true],
    ['public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod', true],
    ['aws-appmesh-envoy@sha256:0123', true],
    ['localhost:5000/aws-appmesh-envoy', true],
    ['envoyproxy/envoy:v1.34.0', false],
    ['public.ecr.aws/xray/aws-xray-daemon:3.6.6', false],
  ])('GIVEN %s THEN isAppMeshEnvoyImage is %s', (image, expected) => {
    expect(isAppMeshEnvoyImage(image)).toBe(expected);
  });

  it('GIVEN a registry with a port THEN repositoryOf keeps the port and drops the tag', () => {
    expect(repositoryOf('localhost:5000/team/envoy:1.0')).toBe('localhost:5000/team/envoy');
  });

  it('GIVEN a -prod tag THEN fipsTag appends -fips', () => {
    expect(fipsTag('v1.34.13.3-prod')).toBe('v1.34.13.3-prod-fips');
  });
});
