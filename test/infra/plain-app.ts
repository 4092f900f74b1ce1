import { App } from 'aws-cdk-lib';

/**
 * A new App with no context, as a user's own CDK app or test makes it, for the tests that synthesize constructs
 * in-process. CDK's built-in CloudFormation validation is off: without the validateAgainstDefaultRules flag (an App
 * with no context has none) it only warns, on the console, so it can fail nothing here, and it was about half the
 * CPU of the CDK suites. The apps of buildApp (cdk.json's context, the flag on) and the CLI's `cdk synth` keep it, and
 * a template it rejects fails their synth.
 */
export function plainApp(): App {
  return new App({ builtinCloudFormationValidation: false });
}
