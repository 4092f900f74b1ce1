/**
 * The Node.js a user's own commands run on. Where tools/test-node is installed (Linux x64), npm scripts and Jest run
 * on the Lambda's Node 24 (README, "Test"); what runs on the user's machine instead — the published library in a CDK
 * app, the `mesh-service` command — is run on the Node that runs npm (npm_node_execpath: Node 20 on these machines,
 * the `engines` floor), so that it stays tested there.
 */
export const HOST_NODE = process.env.npm_node_execpath || process.execPath;
