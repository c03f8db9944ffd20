// Self-checks of the harness helpers that need no server or browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { base32Decode, totp } from './harness.mjs';

// RFC 6238 appendix B, SHA-1 rows: seed "12345678901234567890" (ASCII).
const RFC6238_SHA1 = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('base32 decodes RFC 4648 test vectors', () => {
  assert.equal(base32Decode('').toString(), '');
  assert.equal(base32Decode('MY======').toString(), 'f');
  assert.equal(base32Decode('MZXW6===').toString(), 'foo');
  assert.equal(base32Decode('mzxw6ytboi').toString(), 'foobar');
  assert.equal(base32Decode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ').toString(), '12345678901234567890');
  assert.throws(() => base32Decode('ABC1'));
});

test('totp matches the RFC 6238 SHA-1 vectors', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  for (const [t, code] of RFC6238_SHA1) {
    assert.equal(totp(secret, t * 1000, 8), code, `8 digits at T=${t}`);
    assert.equal(totp(secret, t * 1000), code.slice(-6), `6 digits at T=${t}`);
  }
  assert.match(totp(secret), /^\d{6}$/);
});
