/**
 * The HTTP front: one port for every emulated service, and /_emulator/* the control surface. A service request is
 * recognised from its head (emulator/pipeline.ts `recognise`: X-Amz-Target marks AWS JSON 1.1 — ECS, or Cloud Map
 * by its target prefix —, a form-encoded POST to / the AWS query protocol — CloudFormation —, anything else
 * REST-JSON — App Mesh, under /v20190125), logged on arrival (so the log is in arrival order), its body read (at most
 * 10 MiB) and run through the pipeline every service shares (emulator/pipeline.ts): route → require SigV4 → parse →
 * admission → faults (latency, throttling, planned fault) → model validation → semantics → serialize (and check the
 * output against the model); this file then sends the answer, or leaves the call unanswered. The services are the
 * entries of emulator/service-table.ts, whose header says how one is added.
 *
 * A planned hang, reset or kill leaves the call unanswered: with `applied` the pipeline runs to the end and only
 * the answer is dropped; without, it stops at the fault stage. A caller that `killAt` killed gets no answer to any
 * request, which never takes effect: the check comes as soon as the operation is known (before anything else
 * about the request is judged), again at the fault stage (after any injected latency) and before answering.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { accessKeyIdOf } from './accounts';
import { ServiceError } from './errors';
import type { Interruption } from './faults';
import {
  answer,
  errorAnswer,
  type LiveEntry,
  type PipelineDeps,
  type RequestContext,
  recognise,
  type ServiceEntry,
  Unanswered,
} from './pipeline';
import { headerValue, type Reply, type RequestHead } from './protocol/wire';
import type { RequestLogEntry } from './types';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ServerDeps extends PipelineDeps {
  /** The emulated services, one entry each (emulator/service-table.ts). */
  readonly services: readonly ServiceEntry[];
  readonly log: (entry: RequestLogEntry) => void;
  /** Handles /_emulator/* requests. */
  readonly control: (method: string, path: string, body: string) => { status: number; body: unknown };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ServiceError('RequestEntityTooLargeException', 'Request body is too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createEmulatorServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      console.error('[emulator] unexpected failure', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const method = req.method ?? 'GET';

  if (url.pathname.startsWith('/_emulator/')) {
    const result = deps.control(method, url.pathname, await readBody(req).catch(() => ''));
    send(res, {
      status: result.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result.body),
    });
    return;
  }

  // Logged on arrival (before the body is read), so the log is in arrival order.
  const head: RequestHead = { method, url, headers: req.headers };
  const service = recognise(deps.services, head);
  const accessKeyId = accessKeyIdOf(headerValue(req.headers, 'authorization'));
  const entry: LiveEntry = {
    service: service.name,
    operation: service.protocol.provisionalName(head),
    input: undefined,
    status: 0,
    startedAt: Date.now(),
    durationMs: 0,
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
  };
  deps.log(entry);
  const ctx: RequestContext = { entry, accessKeyId };
  const t0 = performance.now();
  let reply: Reply | undefined;
  try {
    const body = await readBody(req);
    reply = await answer(deps, service, { ...head, body }, ctx);
  } catch (error) {
    if (!(error instanceof Unanswered)) {
      const failed = errorAnswer(service, error);
      reply = failed.reply;
      entry.error = failed.code;
    }
  }
  // A caller killed while this call was on its way gets no answer either (the call took effect only when it was
  // the killing call, applied).
  const interruption =
    ctx.interruption ??
    (deps.faults.isKilled(accessKeyId) ? ({ kind: 'kill', applied: false } as const) : undefined);
  if (interruption || !reply) {
    leaveUnanswered(deps, req, res, entry, interruption?.kind ?? 'kill', t0);
    return;
  }
  entry.status = reply.status;
  entry.durationMs = performance.now() - t0;
  send(res, reply);
}

const UNANSWERED_ERROR = { hang: 'Hung', reset: 'Reset', kill: 'Killed' } as const;

/**
 * A hang or a kill keeps the connection open with no answer until the client gives up (its socket closes) or
 * the faults release it (clear(), reset(), close()); a reset destroys it at once with a TCP RST.
 */
function leaveUnanswered(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  entry: LiveEntry,
  kind: Interruption['kind'],
  t0: number,
): void {
  entry.status = 0;
  entry.error = UNANSWERED_ERROR[kind];
  const socket = req.socket;
  if (kind === 'reset') {
    entry.durationMs = performance.now() - t0;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
    return;
  }
  if (socket.destroyed) {
    // The client gave up while the call was on its way.
    entry.durationMs = performance.now() - t0;
    return;
  }
  const release = deps.faults.park(() => socket.destroy(), req.headers);
  res.once('close', () => {
    release();
    entry.durationMs = performance.now() - t0;
  });
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}
