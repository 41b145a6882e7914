import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRICES, GB, parseTransferTiers, storageCost, transferCost } from '../../../src/usage/prices.ts';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);

test('parseTransferTiers: GB where each tier ends and its price; the last tier is *', () => {
  assert.deepEqual(parseTransferTiers('1:0, 10240:0.09,*:0.05'), [
    { upToGb: 1, pricePerGb: 0 },
    { upToGb: 10240, pricePerGb: 0.09 },
    { upToGb: Infinity, pricePerGb: 0.05 },
  ]);
  assert.deepEqual(parseTransferTiers('*:0'), [{ upToGb: Infinity, pricePerGb: 0 }]);
  for (const bad of ['', '10:0.09', '*:0.05,10:0.09', '10:0.09,5:0.08,*:0', '10:0.09,10:0.08,*:0', '10:-1,*:0', 'x:1,*:0', '10:0.09;*:0', '*:0,*:0']) {
    assert.equal(parseTransferTiers(bad), undefined, bad);
  }
});

test('defaults: ECR storage at $0.10 per GB-month; transfer out with the first GB free, then the published tiers', () => {
  assert.equal(DEFAULT_PRICES.storagePerGbMonth, 0.1);
  assert.deepEqual(
    DEFAULT_PRICES.transferOut.map((tier) => [tier.upToGb, tier.pricePerGb]),
    [
      [1, 0],
      [10240, 0.09],
      [51200, 0.085],
      [153600, 0.07],
      [Infinity, 0.05],
    ],
  );
});

test('transferCost: each GB at the price of the tier it falls in', () => {
  const tiers = DEFAULT_PRICES.transferOut;
  assert.equal(transferCost(0, tiers), 0);
  assert.equal(transferCost(GB, tiers), 0, 'the first GB is free');
  close(transferCost(11 * GB, tiers), 10 * 0.09);
  close(transferCost(GB / 2 + GB, tiers), 0.5 * 0.09);
  // 20 TB: 1 free, 10239 at 0.09, the next 10240 at 0.085.
  close(transferCost(20480 * GB, tiers), 10239 * 0.09 + 10240 * 0.085);
  // 200 TB reaches the last tier: 50 TB beyond 150 TB at 0.05.
  close(transferCost(204800 * GB, tiers), 10239 * 0.09 + 40960 * 0.085 + 102400 * 0.07 + 51200 * 0.05);
  close(transferCost(3 * GB, parseTransferTiers('*:0.01')!), 0.03);
});

test('storageCost: GB-months at the storage price', () => {
  close(storageCost(2.5, DEFAULT_PRICES), 0.25);
  close(storageCost(2.5, { ...DEFAULT_PRICES, storagePerGbMonth: 0.023 }), 0.0575);
});
