/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundle (scripts/trim-sdk.mjs): the SDK loads it only for
 * operations with an event stream, and no operation of App Mesh, ECS, CloudFormation or Cloud Map has one.
 */
const unused = (): never => {
  throw new Error(
    'event streams are not bundled: no operation the provider calls has one (scripts/trim-sdk.mjs)',
  );
};

export const eventStreamSerdeProvider = unused;

export class EventStreamSerde {
  constructor() {
    unused();
  }
}
