import { describe, expect, it } from 'vitest';
import { makeUscc, usccCheckChar, usccFacts } from './uscc.ts';

describe('unified social credit codes (GB 32100-2015)', () => {
  it('accepts the published valid codes', () => {
    for (const code of ['91110000101623741K', '911101066976941872', '11330603002482189K', '12330603MB12345621', '13330603123456788P']) {
      expect(usccFacts(code).checkOk, code).toBe(true);
    }
  });

  it('rejects the published invalid code and says which character was expected', () => {
    const f = usccFacts('91350211M0000XUF46');
    expect(f.checkOk).toBe(false);
    expect(usccFacts('11330603002482189A')).toMatchObject({ formatOk: true, checkOk: false, expectedCheck: 'K' });
  });

  it('rejects letters outside the alphabet (I, O, Z, S, V)', () => {
    expect(usccFacts('1133060300248218IK').formatOk).toBe(false);
    expect(usccFacts('113306').formatOk).toBe(false);
  });

  it('checks the inner organisation code', () => {
    expect(usccFacts('11330603002482189K').orgCodeOk).toBe(true);
    const body = '113306030024821801'.slice(0, 17);
    const wrongInner = body + usccCheckChar(body);
    expect(usccFacts(wrongInner)).toMatchObject({ checkOk: true, orgCodeOk: false });
  });

  it('builds valid codes for the demo', () => {
    const code = makeUscc('11330603', '00248218');
    expect(code).toBe('11330603002482189K');
    expect(usccFacts(makeUscc('12330603', '47193822'))).toMatchObject({ checkOk: true, orgCodeOk: true, category: '12', regionCode: '330603' });
  });
});
