// The AWS SDK warns once per process that its 2027 releases will need Node.js 22. The project supports Node.js 20
// for development (the Lambda runs Node.js 24), so the tests silence that one notice with the SDK's own switch.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
