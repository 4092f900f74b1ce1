/**
 * Builds the CDK app: the stacks, configured from CDK context, with cdk-nag's AwsSolutions checks registered so
 * that a finding fails `cdk synth` (and the tests, which build the app the same way).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeshServiceProviderStack } from './provider-stack';

/** Reads a context value that may be a JSON array, a comma-separated string or absent. */
export function contextList(app: App, key: string): string[] {
  const raw = app.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return [];
  if (Array.isArray(raw)) return raw.map(String);
  const text = String(raw).trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface BuiltApp {
  readonly app: App;
  readonly provider: MeshServiceProviderStack;
}

export function buildApp(props: AppProps = {}): BuiltApp {
  const app = new App(props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const account = app.node.tryGetContext('account') as string | undefined;
  const region = app.node.tryGetContext('region') as string | undefined;
  const env: Environment | undefined = account || region ? { account, region } : undefined;

  const codePath = path.join(__dirname, '..', 'dist', 'lambda');
  if (!existsSync(path.join(codePath, 'index.js'))) {
    throw new Error(`${codePath}/index.js is missing: run \`npm run build\` before synthesizing`);
  }
  const organization = app.node.tryGetContext('invokerOrganizationId') as string | undefined;
  const provider = new MeshServiceProviderStack(app, 'MeshServiceProvider', {
    ...(env ? { env } : {}),
    codePath,
    ...(organization ? { invokerOrganizationId: organization } : {}),
    invokerAccountIds: contextList(app, 'invokerAccountIds'),
    sharedMeshOwnerAccountIds: contextList(app, 'sharedMeshOwnerAccountIds'),
  });
  return { app, provider };
}
