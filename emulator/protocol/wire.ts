/**
 * What the pipeline needs of a wire protocol, whichever it is (REST-JSON, AWS JSON 1.1, AWS query): tell its
 * services apart, resolve and decode a request, encode an answer and an error. Each protocol file implements it for
 * one service model; the pipeline (emulator/pipeline.ts) never looks at the wire itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '../errors';
import type { Operation } from '../model/model';
import type { Issue } from '../model/validate';
import type { JsonObject } from '../util';

/** A request as it arrives, before its body is read. */
export interface RequestHead {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
}

export interface WireRequest extends RequestHead {
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type ProtocolKind = 'json' | 'query' | 'rest-json';

/** The input a request carries, bound to its operation. */
export interface DecodedInput {
  /** The input as the request log shows it (what was received). */
  readonly input: unknown;
  /** Problems found while binding (unknown members, unconvertible values), reported with the model's. */
  readonly issues: readonly Issue[];
  /** A body the protocol cannot take as input at all; refused at the validation stage, before the model's issues. */
  readonly refusal?: ServiceError;
}

/** A request whose operation is known. */
export interface Resolution {
  readonly op: Operation;
  /** Binds the request to the operation's input; throws the protocol's error for a body it cannot parse. */
  decode(): DecodedInput;
}

export interface WireProtocol {
  readonly kind: ProtocolKind;
  /** Whether a request in this protocol is for this instance's service (see the protocol's file for how). */
  claims(head: RequestHead): boolean;
  /** What the request log calls the request until its operation is known. */
  provisionalName(head: RequestHead): string;
  /** The operation the request names, logged even when it then proves unknown (the query protocol's Action). */
  requestedOperation?(request: WireRequest): string | undefined;
  /** The request's operation, or throws the service's error for one it does not have. */
  resolve(request: WireRequest): Resolution;
  /** How the protocol spells an issue of the model's validation (the query protocol: lower camel case paths). */
  spellIssue?(issue: Issue): Issue;
  encodeOutput(op: Operation, output: JsonObject): Reply;
  encodeError(error: ServiceError): Reply;
  /** The error code the wire (and the request log) carries for an error type. */
  errorCode(type: string): string;
}

/** A header's value as one string (repeated headers joined by commas, as Node joins most of them). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A JSON request body (undefined when empty), or the service's `errorType` for text that is not JSON. */
export function parseJsonBody(body: string, errorType: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new ServiceError(errorType, 'The request body is not valid JSON', 400);
  }
}
