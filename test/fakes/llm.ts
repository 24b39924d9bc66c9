// A local fake of an OpenAI-compatible chat-completions API (the office's private model
// deployment): POST /v1/chat/completions answers with `reply(body)`, or 500, or never (to test
// the timeout). Every request is recorded (path, headers, raw body) for the tests to inspect.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest { path: string; headers: http.IncomingHttpHeaders; raw: string; body: any }

export interface FakeLlm {
  baseUrl: string;
  requests: RecordedRequest[];
  mode: 'ok' | 'error' | 'hang';
  reply: (body: any) => string;
  close(): Promise<void>;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const hanging = new Set<http.ServerResponse>();
  const fake: FakeLlm = {
    baseUrl: '', requests: [], mode: 'ok',
    reply: () => '大模型撰写的文字',
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      let body: any = null;
      try { body = JSON.parse(raw); } catch { /* recorded raw */ }
      fake.requests.push({ path: req.url ?? '', headers: req.headers, raw, body });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      if (fake.mode === 'hang') return void hanging.add(res);
      if (fake.mode === 'error') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'chatcmpl-fake', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body?.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: fake.reply(body) } }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
