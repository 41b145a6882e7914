// Prices for the cost estimates of `berth usage`, and the arithmetic of tiered
// data-transfer pricing. Defaults are ECR's published US East (N. Virginia) prices
// (docs/usage.md cites them); every one is configurable (usage.prices.*).

/** Bytes in a GB as AWS bills storage and transfer (2^30). */
export const GB = 1024 ** 3;

export interface TransferTier {
  /** The tier covers a month's transfer up to this many GB in total (Infinity for the last). */
  readonly upToGb: number;
  readonly pricePerGb: number;
}

export interface Prices {
  readonly storagePerGbMonth: number;
  /** In order of upToGb; the last tier's upToGb is Infinity. */
  readonly transferOut: readonly TransferTier[];
}

/**
 * Data transfer out to the internet, as ECR's pricing page lists it: the first GB of a
 * month free, then $0.09 per GB up to 10 TB, $0.085 for the next 40 TB, $0.07 for the
 * next 100 TB, $0.05 beyond 150 TB.
 */
export const DEFAULT_TRANSFER_TIERS = '1:0,10240:0.09,51200:0.085,153600:0.07,*:0.05';

export const DEFAULT_PRICES: Prices = {
  storagePerGbMonth: 0.1,
  transferOut: parseTransferTiers(DEFAULT_TRANSFER_TIERS)!,
};

/**
 * Tiers written as `GB:price,…,*:price`: each GB figure is where its tier ends, counted
 * from the month's first byte (so "1:0,10240:0.09" is the first GB free, then 0.09 up
 * to 10 TB); `*` is the last tier, which has no end. Undefined when malformed: figures
 * not increasing, a negative price, or no `*` tier at the end.
 */
export function parseTransferTiers(text: string): TransferTier[] | undefined {
  const tiers: TransferTier[] = [];
  const parts = text.split(',').map((part) => part.trim());
  for (const [index, part] of parts.entries()) {
    const match = /^(\*|\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) return undefined;
    const last = index === parts.length - 1;
    if ((match[1] === '*') !== last) return undefined;
    const upToGb = match[1] === '*' ? Infinity : Number(match[1]);
    if (tiers.length > 0 && upToGb <= tiers[tiers.length - 1]!.upToGb) return undefined;
    tiers.push({ upToGb, pricePerGb: Number(match[2]) });
  }
  return tiers.length > 0 ? tiers : undefined;
}

/** The month's transfer-out charge for `bytes`, each GB at the price of the tier it falls in. */
export function transferCost(bytes: number, tiers: readonly TransferTier[]): number {
  const gb = bytes / GB;
  let cost = 0;
  let from = 0;
  for (const tier of tiers) {
    if (gb <= from) break;
    cost += (Math.min(gb, tier.upToGb) - from) * tier.pricePerGb;
    from = tier.upToGb;
  }
  return cost;
}

export function storageCost(gbMonths: number, prices: Prices): number {
  return gbMonths * prices.storagePerGbMonth;
}
