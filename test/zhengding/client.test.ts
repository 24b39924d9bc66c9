// The signed client against a local fake gateway: exact headers, signature (recomputed here
// from the literal text the platform expects), bodies, token cache and error classification.

import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZhengDingClient, shanghaiTimestamp, ZhengDingError, type ZhengDingClientOptions } from '../../bot/zhengding/client.ts';
import { contentError, gatewayError, ok, startFakeGateway, type FakeGateway } from './fake-gateway.ts';

const T0 = Date.UTC(2024, 4, 6, 1, 2, 3, 456); // 2024-05-06 09:02:03.456 in Shanghai
const TS0 = '2024-05-06T09:02:03.000+08:00';
const APP_KEY = 'sanse-test-key';
const APP_SECRET = 'sanse-test-secret';

/** Independent of the code under test: HMAC-SHA256 with node's crypto, base64. */
function expectedSignature(text: string): string {
  return crypto.createHmac('sha256', APP_SECRET).update(Buffer.from(text, 'utf8')).digest('base64');
}

let gw: FakeGateway;
let clock: number;
let nonces: string[];

beforeEach(async () => {
  gw = await startFakeGateway();
  clock = T0;
  nonces = ['17149573230001234', '17149573230005678', '17149573230009012', '17149573230003456', '17149573230007890', '17149573230002468'];
});
afterEach(async () => {
  await gw.close();
});

function client(extra: Partial<ZhengDingClientOptions> = {}) {
  let i = 0;
  return createZhengDingClient({
    apiBase: gw.url,
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    ip: '10.1.2.3',
    mac: 'AA:BB:CC:DD:EE:FF',
    now: () => clock,
    nonce: () => nonces[i++ % nonces.length],
    ...extra,
  });
}

async function rejection(p: Promise<unknown>): Promise<ZhengDingError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ZhengDingError);
    return e as ZhengDingError;
  }
  throw new Error('expected a rejection');
}

describe('signed requests', () => {
  it('POST: every header, the signature over the unencoded sorted parameters (unicode), the form body', async () => {
    const msg = '{"msgtype":"text","text":{"content":"三色预警：柯桥区 2 个单位亮红灯 & 请于 3 日内整改 = 100%"}}';
    gw.queue('/message/workNotification', ok({ msgId: 'm1' }));
    const data = await client().call('POST', '/message/workNotification', { tenantId: '196729', receiverIds: 'u1,u2', msg, bizMsgId: 'digest:330602:2024-05-06' });
    expect(data).toEqual({ msgId: 'm1' });

    expect(gw.requests).toHaveLength(1);
    const r = gw.requests[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/message/workNotification');
    expect([...r.query.keys()]).toEqual([]);
    const text =
      'POST\n2024-05-06T09:02:03.000+08:00\n17149573230001234\n/message/workNotification\n' +
      'bizMsgId=digest:330602:2024-05-06&msg=' + msg + '&receiverIds=u1,u2&tenantId=196729';
    expect(r.headers['apikey']).toBe(APP_KEY);
    expect(r.headers['x-hmac-auth-version']).toBe('1.0');
    expect(r.headers['x-hmac-auth-timestamp']).toBe(TS0);
    expect(r.headers['x-hmac-auth-nonce']).toBe('17149573230001234');
    expect(r.headers['x-hmac-auth-ip']).toBe('10.1.2.3');
    expect(r.headers['x-hmac-auth-mac']).toBe('AA:BB:CC:DD:EE:FF');
    expect(r.headers['x-hmac-auth-signature']).toBe(expectedSignature(text));
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=UTF-8');
    // The form body carries the same parameters, URL-encoded (in the order given).
    expect(r.params).toEqual([
      ['tenantId', '196729'],
      ['receiverIds', 'u1,u2'],
      ['msg', msg],
      ['bizMsgId', 'digest:330602:2024-05-06'],
    ]);
    expect(r.body).toContain('msg=%7B%22msgtype%22');
    expect(r.body).not.toContain('三色');
  });

  it('GET with a list: one pair per element (elements sorted), keys case-insensitively sorted, query string', async () => {
    await client().call('GET', '/mozi/employee/listEmployeesByCodes', { employeeCodes: ['GE_b2', 'GE_a1'], Zeta: 'z', alpha: 'x y', tenantId: 196729 });
    const r = gw.requests[0];
    expect(r.method).toBe('GET');
    expect(r.path).toBe('/mozi/employee/listEmployeesByCodes');
    const text = 'GET\n2024-05-06T09:02:03.000+08:00\n17149573230001234\n/mozi/employee/listEmployeesByCodes\nalpha=x y&employeeCodes=GE_a1&employeeCodes=GE_b2&tenantId=196729&Zeta=z';
    expect(r.headers['x-hmac-auth-signature']).toBe(expectedSignature(text));
    expect(r.params).toEqual([
      ['employeeCodes', 'GE_b2'],
      ['employeeCodes', 'GE_a1'],
      ['Zeta', 'z'],
      ['alpha', 'x y'],
      ['tenantId', '196729'],
    ]);
    expect(r.body).toBe('');
    expect(r.headers['content-type']).toBeUndefined();
  });

  it('no parameters: the signed text ends with the path; empty values are neither sent nor signed', async () => {
    await client().call('POST', '/a/none.json');
    await client().call('POST', '/a/some.json', { b: '', c: undefined, d: null, a: '1', e: [] });
    expect(gw.requests[0].headers['x-hmac-auth-signature']).toBe(expectedSignature(`POST\n${TS0}\n17149573230001234\n/a/none.json`));
    expect(gw.requests[0].body).toBe('');
    expect(gw.requests[1].headers['x-hmac-auth-signature']).toBe(expectedSignature(`POST\n${TS0}\n17149573230001234\n/a/some.json\na=1`));
    expect(gw.requests[1].params).toEqual([['a', '1']]);
  });

  it('timestamp is Shanghai local time whatever TZ the server runs in', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = tz;
        expect(shanghaiTimestamp(Date.UTC(2024, 11, 31, 16, 30, 59, 999))).toBe('2025-01-01T00:30:59.000+08:00');
        expect(shanghaiTimestamp(T0)).toBe(TS0);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('default nonce: epoch seconds + 000 + 4 digits, unique even within one second', async () => {
    const c = createZhengDingClient({ apiBase: gw.url, appKey: APP_KEY, appSecret: APP_SECRET, ip: '', mac: '', now: () => clock });
    await Promise.all(Array.from({ length: 300 }, () => c.call('POST', '/x.json', { a: 1 })));
    const seen = gw.requests.map((r) => r.headers['x-hmac-auth-nonce'] as string);
    for (const n of seen) expect(n).toMatch(/^1714957323000\d{4}$/);
    expect(new Set(seen).size).toBe(300);
    // Every one of them signed with its own nonce.
    for (const r of gw.requests) {
      expect(r.headers['x-hmac-auth-signature']).toBe(expectedSignature(`POST\n${TS0}\n${r.headers['x-hmac-auth-nonce']}\n/x.json\na=1`));
      expect(r.headers['x-hmac-auth-ip']).toBe('');
    }
  });
});

describe('token', () => {
  it('fetched once (POST /gettoken.json, signed), reused, renewed ahead of expiry', async () => {
    gw.queue('/gettoken.json', ok({ accessToken: 'tok-1', expiresIn: '7200' }), ok({ accessToken: 'tok-2', expiresIn: '7200' }));
    const c = client();
    await c.call('POST', '/chat/sendMsg', { chatId: 'g1' }, { token: true });
    await c.call('POST', '/chat/sendMsg', { chatId: 'g2' }, { token: true });
    expect(gw.to('/gettoken.json')).toHaveLength(1);
    const t = gw.to('/gettoken.json')[0];
    expect(t.method).toBe('POST');
    expect(t.params).toEqual([['appkey', APP_KEY], ['appsecret', APP_SECRET]]);
    expect(t.headers['x-hmac-auth-signature']).toBe(expectedSignature(`POST\n${TS0}\n17149573230001234\n/gettoken.json\nappkey=${APP_KEY}&appsecret=${APP_SECRET}`));
    const sends = gw.to('/chat/sendMsg');
    expect(sends.map((r) => r.params)).toEqual([
      [['chatId', 'g1'], ['access_token', 'tok-1']],
      [['chatId', 'g2'], ['access_token', 'tok-1']],
    ]);
    // access_token is signed like any parameter.
    expect(sends[0].headers['x-hmac-auth-signature']).toBe(expectedSignature(`POST\n${TS0}\n17149573230005678\n/chat/sendMsg\naccess_token=tok-1&chatId=g1`));

    clock = T0 + (7200 - 5 * 60 - 1) * 1000; // still inside the validity minus the 5-minute margin
    await c.call('POST', '/chat/sendMsg', { chatId: 'g3' }, { token: true });
    expect(gw.to('/gettoken.json')).toHaveLength(1);
    clock = T0 + (7200 - 5 * 60 + 1) * 1000; // within the margin: renewed
    await c.call('POST', '/chat/sendMsg', { chatId: 'g4' }, { token: true });
    expect(gw.to('/gettoken.json')).toHaveLength(2);
    expect(gw.to('/chat/sendMsg').at(-1)!.params).toContainEqual(['access_token', 'tok-2']);
  });

  it('one refresh in flight for concurrent callers', async () => {
    gw.route('/gettoken.json', () => ok({ accessToken: 'tok-1', expiresIn: '7200' }));
    const c = client();
    await Promise.all(Array.from({ length: 8 }, (_, i) => c.call('POST', '/chat/sendMsg', { chatId: `g${i}` }, { token: true })));
    expect(gw.to('/gettoken.json')).toHaveLength(1);
    expect(gw.to('/chat/sendMsg')).toHaveLength(8);
  });

  it('a refused token is renewed and the call retried once', async () => {
    gw.queue('/gettoken.json', ok({ accessToken: 'tok-1', expiresIn: '7200' }), ok({ accessToken: 'tok-2', expiresIn: '7200' }));
    gw.queue('/chat/sendMsg', contentError('240133', '应用accessToken失效或不存在'), ok(true));
    await client().call('POST', '/chat/sendMsg', { chatId: 'g1' }, { token: true });
    expect(gw.to('/gettoken.json')).toHaveLength(2);
    expect(gw.to('/chat/sendMsg').map((r) => r.params.find(([k]) => k === 'access_token')![1])).toEqual(['tok-1', 'tok-2']);
  });

  it('only once: a second refusal is an error (retryable later)', async () => {
    gw.route('/gettoken.json', () => ok({ accessToken: 'tok', expiresIn: '7200' }));
    gw.route('/chat/sendMsg', () => contentError('240133', '应用accessToken失效或不存在'));
    const e = await rejection(client().call('POST', '/chat/sendMsg', { chatId: 'g1' }, { token: true }));
    expect(e.retryable).toBe(true);
    expect(gw.to('/chat/sendMsg')).toHaveLength(2);
  });

  it('a wrong app secret fails the token call with SignatureDoesNotMatch, not retryable', async () => {
    gw.route('/gettoken.json', () => gatewayError('OPF-B001-05-16-0009', 'SignatureDoesNotMatch'));
    const e = await rejection(client().call('POST', '/chat/sendMsg', { chatId: 'g1' }, { token: true }));
    expect(e.retryable).toBe(false);
    expect(e.code).toBe('OPF-B001-05-16-0009');
    expect(gw.to('/chat/sendMsg')).toHaveLength(0);
  });

  it('GET /gettoken.json when configured (the vendor help page uses GET)', async () => {
    gw.queue('/gettoken.json', ok({ accessToken: 'tok-1', expiresIn: '7200' }));
    expect(await client({ tokenMethod: 'GET' }).accessToken()).toBe('tok-1');
    const t = gw.to('/gettoken.json')[0];
    expect(t.method).toBe('GET');
    expect(t.params).toEqual([['appkey', APP_KEY], ['appsecret', APP_SECRET]]);
  });
});

describe('answers and errors', () => {
  const call = () => client().call('POST', '/message/workNotification', { a: '1' });

  it('HTTP 5xx → retryable', async () => {
    gw.queue('/message/workNotification', { status: 502, body: '<html>Bad Gateway</html>' });
    const e = await rejection(call());
    expect(e.retryable).toBe(true);
    expect(e.status).toBe(502);
  });

  it('HTTP 429 → retryable, honouring Retry-After', async () => {
    gw.queue('/message/workNotification', { status: 429, headers: { 'Retry-After': '3' }, body: { success: false } });
    const e = await rejection(call());
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(3000);
  });

  it('throttling answers in the JSON → retryable with a wait', async () => {
    gw.queue('/message/workNotification', { body: { success: false, Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } });
    gw.queue('/message/workNotification', contentError('ERR_LIMIT', '调用频率超过限制，请稍后再试'));
    for (let i = 0; i < 2; i++) {
      const e = await rejection(call());
      expect(e.retryable).toBe(true);
      expect(e.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('a network error and a hang-up → retryable', async () => {
    gw.queue('/message/workNotification', { hangUp: true });
    expect((await rejection(call())).retryable).toBe(true);
    const dead = createZhengDingClient({ apiBase: 'http://127.0.0.1:9', appKey: APP_KEY, appSecret: APP_SECRET, ip: '', mac: '' });
    const e = await rejection(dead.call('POST', '/x.json'));
    expect(e.retryable).toBe(true);
    expect(e.code).toBe('NETWORK');
  });

  it('a non-JSON 200 → retryable', async () => {
    gw.queue('/message/workNotification', { body: '<html>maintenance</html>' });
    const e = await rejection(call());
    expect(e.retryable).toBe(true);
    expect(e.code).toBe('BAD_RESPONSE');
  });

  it('SignatureDoesNotMatch and other client errors → not retryable; both success flags are checked', async () => {
    gw.queue('/message/workNotification', gatewayError('OPF-B001-05-16-0009', 'SignatureDoesNotMatch'));
    gw.queue('/message/workNotification', contentError('100001', '参数 receiverIds 不能为空'));
    gw.queue('/message/workNotification', { status: 400, body: { success: false, errorCode: 'InvalidParameter', errorMsg: 'bad request' } });
    const sig = await rejection(call());
    expect([sig.retryable, sig.code]).toEqual([false, 'OPF-B001-05-16-0009']);
    const inner = await rejection(call());
    expect([inner.retryable, inner.code, inner.platformMessage]).toEqual([false, '100001', '参数 receiverIds 不能为空']);
    const http400 = await rejection(call());
    expect([http400.retryable, http400.status]).toEqual([false, 400]);
  });

  it('a server-side error code in the content → retryable', async () => {
    gw.queue('/message/workNotification', contentError('-1', '系统繁忙'));
    expect((await rejection(call())).retryable).toBe(true);
  });
});
