/**
 * The CDK suites (*.suite.ts, one per stack or construct), in one test process: aws-cdk-lib, cdk-nag and CDK's
 * template validator load once, and the app without context is synthesized once for all of them — by the CLI, as
 * `npx cdk synth` does (cdk-synth.ts). One suite alone: `npx jest test/infra -t '<its describe text>'`.
 */
import { cdkSynth } from './cdk-synth';
import './provider-stack.suite';
import './platform-stack.suite';
import './catalog-stack.suite';
import './mesh-service-construct.suite';
import './mesh-service-idioms.suite';
import './example-cdk-app.suite';
import './provider-construct.suite';
import './compliance.suite';
import './reclaimer.suite';

test('GIVEN `cdk synth` (the CLI, offline, with the app command of cdk.json) THEN it synthesizes the three stacks', async () => {
  expect([...(await cdkSynth()).stacks].sort()).toEqual([
    'MeshPlatform',
    'MeshServiceCatalog',
    'MeshServiceProvider',
  ]);
}, 120_000);
