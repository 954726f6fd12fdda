import type { AuctionType, BidType } from './types.js';

/** The auction winner as the price rule sees it. */
export interface PricedBid {
  bidType: BidType;
  /** The winner's effective bid (after shading and attention, never above its bid cap), integer micros. */
  bidMicros: number;
  /** The pCTR the winner was ranked with (CPC only). */
  pCtr: number;
  /** The quality factor its eCPM was multiplied by for ranking. */
  quality: number;
}

export interface ClearingPrice {
  /** What the winner pays per 1,000 impressions, integer micros. */
  clearingCpmMicros: number;
  /** Charged per impression (CPM) or per click (CPC), integer micros >= 1, never above the bid. */
  chargeMicros: number;
}

/** eCPM of a bid: a CPM bid itself, a CPC bid × pCTR × 1000. */
export function ecpmOf(bidType: BidType, bidMicros: number, pCtr: number): number {
  return bidType === 'CPM' ? bidMicros : bidMicros * pCtr * 1000;
}

/**
 * The price of the winning bid. First price: its own (shaded) bid. Second price: the lowest eCPM that
 * would still have won, `max(runner-up score / winner quality + 1, floor)`, never above its own eCPM,
 * converted back to its bid type (CPC: eCPM / (pCTR × 1000), rounded up so the floor holds, at most the
 * bid). A CPM charge is the clearing CPM / 1000 rounded down, at least 1 micro.
 * `runnerUpScore` is the best quality-adjusted eCPM of another campaign (null when there is none).
 */
export function clearingPrice(
  winner: PricedBid,
  runnerUpScore: number | null,
  floorMicros: number,
  auctionType: AuctionType,
): ClearingPrice {
  const own = ecpmOf(winner.bidType, winner.bidMicros, winner.pCtr);
  let cpm: number;
  if (auctionType === 'FIRST_PRICE') {
    cpm = own;
  } else {
    const toBeat = runnerUpScore === null ? 0 : Math.floor(runnerUpScore / winner.quality) + 1;
    cpm = Math.min(own, Math.max(toBeat, floorMicros));
  }
  if (winner.bidType === 'CPM') {
    const clearing = Math.max(1, Math.floor(cpm));
    return { clearingCpmMicros: clearing, chargeMicros: Math.max(1, Math.floor(clearing / 1000)) };
  }
  const cpc =
    auctionType === 'FIRST_PRICE' ? winner.bidMicros : Math.ceil(cpm / Math.max(winner.pCtr * 1000, 1e-12));
  const charge = Math.max(1, Math.min(winner.bidMicros, cpc));
  return {
    clearingCpmMicros: Math.max(1, Math.floor(ecpmOf('CPC', charge, winner.pCtr))),
    chargeMicros: charge,
  };
}
