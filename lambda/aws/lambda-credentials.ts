/**
 * The credential provider the Lambda bundle uses in place of the SDK's default chain (scripts/bundle-lambda.mjs
 * aliases `@aws-sdk/credential-provider-node` to this module). Lambda gives a function its role's credentials in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is the default chain's first
 * source; the rest of the chain (SSO, shared files, process, web identity, instance metadata, with the STS and SSO
 * clients they bring) can never apply there and made up a fifth of the bundle. Outside the bundle — tests, the CLI,
 * the demo — the default chain is used.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
