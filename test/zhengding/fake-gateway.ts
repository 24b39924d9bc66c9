// A local HTTP server standing in for the Zheng-Ding gateway: records every request exactly as
// it arrived (method, path, query, headers, raw body) and answers with scripted responses.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The form body (POST) or the query (GET) as [key, value] pairs in order. */
  params: Array<[string, string]>;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** Destroy the socket without answering. */
  hangUp?: boolean;
}

export type Responder = (req: Recorded) => Answer | undefined;

export interface FakeGateway {
  url: string;
  requests: Recorded[];
  /** Requests to one path. */
  to(path: string): Recorded[];
  /** The next answers for a path, used once each, before the route's default. */
  queue(path: string, ...answers: Answer[]): void;
  /** The default answer for a path. */
  route(path: string, responder: Responder): void;
  close(): Promise<void>;
}

export const ok = (data: unknown = {}): Answer => ({ body: { success: true, content: { success: true, responseCode: '0', responseMessage: 'OK', data } } });
export const contentError = (responseCode: string, responseMessage: string): Answer => ({ body: { success: true, content: { success: false, responseCode, responseMessage } } });
export const gatewayError = (errorCode: string, errorMsg: string): Answer => ({ body: { success: false, errorCode, errorMsg, errorLevel: 'error' } });

export async function startFakeGateway(): Promise<FakeGateway> {
  const requests: Recorded[] = [];
  const queues = new Map<string, Answer[]>();
  const routes = new Map<string, Responder>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const params = [...(req.method === 'GET' ? u.searchParams : new URLSearchParams(/form-urlencoded/.test(req.headers['content-type'] ?? '') ? body : '')).entries()];
      const rec: Recorded = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body, params };
      requests.push(rec);
      const q = queues.get(u.pathname);
      const answer = (q && q.length ? q.shift() : undefined) ?? routes.get(u.pathname)?.(rec) ?? ok();
      if (answer.hangUp) {
        req.socket.destroy();
        return;
      }
      const isString = typeof answer.body === 'string';
      res.writeHead(answer.status ?? 200, { 'Content-Type': isString ? 'text/html' : 'application/json;charset=UTF-8', ...answer.headers });
      res.end(isString ? (answer.body as string) : JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    queue: (path, ...answers) => queues.set(path, [...(queues.get(path) ?? []), ...answers]),
    route: (path, responder) => routes.set(path, responder),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
