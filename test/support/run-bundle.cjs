// Runs the Lambda bundle in a plain Node.js process, as the Lambda runtime would: reads {bundle, events, accountId,
// region} as JSON on stdin, invokes the handler for each event in turn and writes the outcomes as JSON to fd 3
// (stdout stays the function's log stream).
const { writeSync } = require('node:fs');

let input = '';
process.stdin.on('data', (d) => {
  input += d;
});
process.stdin.on('end', async () => {
  const { bundle, events, accountId, region } = JSON.parse(input);
  const { handler } = require(bundle);
  const outcomes = [];
  for (const event of events) {
    const context = {
      functionName: 'MeshServiceProvider-Handler',
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:MeshServiceProvider-Handler`,
      getRemainingTimeInMillis: () => 600000,
    };
    try {
      outcomes.push({ result: await handler(event, context) });
    } catch (error) {
      outcomes.push({ error: error.message });
    }
  }
  writeSync(3, JSON.stringify(outcomes));
});
