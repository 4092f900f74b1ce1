// Runs the Lambda bundle in a plain Node.js process, as the Lambda runtime would: reads {bundle, events, accountId,
// region} as JSON on stdin, invokes the handler for each event in turn and writes the outcomes, and the files of the
// bundle's folder the process loaded, as JSON to fd 3 (stdout stays the function's log stream).
const { writeSync } = require('node:fs');
const path = require('node:path');

let input = '';
process.stdin.on('data', (d) => {
  input += d;
});
process.stdin.on('end', async () => {
  const { bundle, events, accountId, region, cloudFormation } = JSON.parse(input);
  const { handler } = require(bundle);
  const outcomes = [];
  // Plays CloudFormation's part: the stack and resource in progress while the request runs (the provider checks).
  const control = (path, body) =>
    cloudFormation &&
    fetch(`${process.env.AWS_ENDPOINT_URL_CLOUDFORMATION}/_emulator/stacks/${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
  for (const event of events) {
    await control('begin-request', event);
    const context = {
      functionName: 'MeshServiceProvider-Handler',
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:MeshServiceProvider-Handler`,
      getRemainingTimeInMillis: () => 600000,
    };
    try {
      const result = await handler(event, context);
      outcomes.push({ result });
      await control('end-request', {
        RequestId: event.RequestId,
        physicalResourceId: result.PhysicalResourceId,
      });
    } catch (error) {
      outcomes.push({ error: error.message });
      await control('end-request', { RequestId: event.RequestId, failed: error.message });
    }
  }
  const folder = path.dirname(require.resolve(bundle));
  const loaded = Object.keys(require.cache)
    .filter((file) => path.dirname(file) === folder)
    .map((file) => path.basename(file));
  writeSync(3, JSON.stringify({ outcomes, loaded }));
});
