/**
 * Stands in for `@smithy/core`'s pure-JavaScript SHA-256 in the Lambda bundle (scripts/trim-sdk.mjs): the SDK's
 * Sha256Node falls back to it only when Node.js has no native crypto, and the Lambda runtime's Node.js always has it.
 */
export class Sha256Js {
  constructor() {
    throw new Error(
      'the JavaScript SHA-256 is not bundled: Node.js has native crypto (scripts/trim-sdk.mjs)',
    );
  }
}
