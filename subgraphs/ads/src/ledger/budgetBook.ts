/**
 * The authoritative budget state of every campaign, in this process: spend today and in total, and the
 * reservations of decisions whose events have not come yet. A decision reserves its charge before it
 * answers and nothing awaits between the check and the reservation, so parallel decisions can never
 * hold more than the remaining budget: spend stays within budget as long as every charge was reserved.
 * The ads service therefore runs as a single writer per campaign partition; the ledger it writes
 * (insert-once events, spend counters, the decision log with each reservation) is what it recovers from
 * at start, reservations of decisions still open included.
 */

interface Reservation {
  amount: number;
  day: string;
  expiresAt: number;
}

interface CampaignBudget {
  day: string;
  spentDay: number;
  spentTotal: number;
  reservedDay: number;
  reservedTotal: number;
  reservations: Map<string, Reservation>;
}

export interface BudgetLimits {
  dailyBudgetMicros: number;
  totalBudgetMicros: number | null;
}

export class BudgetBook {
  private readonly campaigns = new Map<string, CampaignBudget>();
  private readonly expiries: { at: number; campaignId: string; decisionId: string }[] = [];

  private get(campaignId: string, day: string): CampaignBudget {
    let b = this.campaigns.get(campaignId);
    if (!b) {
      b = { day, spentDay: 0, spentTotal: 0, reservedDay: 0, reservedTotal: 0, reservations: new Map() };
      this.campaigns.set(campaignId, b);
    }
    if (b.day !== day && day > b.day) {
      // A new local day: yesterday's spend and reservations no longer count against today.
      b.day = day;
      b.spentDay = 0;
      b.reservedDay = 0;
      for (const r of b.reservations.values()) if (r.day === day) b.reservedDay += r.amount;
    }
    return b;
  }

  /** Sets what the ledger says (at start): spend of `day` and in total. */
  load(campaignId: string, day: string, spentDay: number, spentTotal: number): void {
    const b = this.get(campaignId, day);
    b.spentDay = spentDay;
    b.spentTotal = spentTotal;
  }

  /** Whether the book holds the campaign's spend (loaded from the ledger, or charged since). */
  knows(campaignId: string): boolean {
    return this.campaigns.has(campaignId);
  }

  /** Whether a decision's reservation is held. */
  holds(campaignId: string, decisionId: string): boolean {
    return this.campaigns.get(campaignId)?.reservations.has(decisionId) ?? false;
  }

  /** What the campaign may still commit today (never negative). */
  remaining(campaignId: string, limits: BudgetLimits, day: string): number {
    const b = this.get(campaignId, day);
    let left = limits.dailyBudgetMicros - b.spentDay - b.reservedDay;
    if (limits.totalBudgetMicros !== null)
      left = Math.min(left, limits.totalBudgetMicros - b.spentTotal - b.reservedTotal);
    return Math.max(0, left);
  }

  /** Holds `amount` for a decision if the budget allows it; synchronous, so nothing interleaves. */
  reserve(
    campaignId: string,
    decisionId: string,
    amount: number,
    limits: BudgetLimits,
    day: string,
    expiresAt: number,
  ): boolean {
    if (amount > this.remaining(campaignId, limits, day)) return false;
    this.restore(campaignId, decisionId, amount, day, expiresAt);
    return true;
  }

  /**
   * Holds `amount` for a decision made before this process started (see `AdsState.recoverReservations`),
   * whatever the budget: its charge may still come. Restore in order of expiry, before new decisions.
   */
  restore(campaignId: string, decisionId: string, amount: number, day: string, expiresAt: number): void {
    const b = this.get(campaignId, day);
    b.reservations.set(decisionId, { amount, day, expiresAt });
    if (day === b.day) b.reservedDay += amount;
    b.reservedTotal += amount;
    this.expiries.push({ at: expiresAt, campaignId, decisionId });
  }

  /** Drops a decision's reservation (its event came, or it expired). */
  release(campaignId: string, decisionId: string): void {
    const b = this.campaigns.get(campaignId);
    const r = b?.reservations.get(decisionId);
    if (!b || !r) return;
    b.reservations.delete(decisionId);
    b.reservedTotal -= r.amount;
    if (r.day === b.day) b.reservedDay -= r.amount;
  }

  /** Turns a decision's reservation into spend (or adds spend that was not reserved). */
  charge(campaignId: string, decisionId: string, amount: number, day: string): void {
    this.release(campaignId, decisionId);
    const b = this.get(campaignId, day);
    if (day === b.day) b.spentDay += amount;
    b.spentTotal += amount;
  }

  /** Releases reservations whose tokens expired unused; returns how many. */
  expire(now: number): number {
    let n = 0;
    let i = 0;
    // Expiries are pushed in increasing order (one token lifetime for all), so the due ones lead.
    for (; i < this.expiries.length && this.expiries[i]!.at <= now; i++) {
      const e = this.expiries[i]!;
      if (this.campaigns.get(e.campaignId)?.reservations.has(e.decisionId)) {
        this.release(e.campaignId, e.decisionId);
        n += 1;
      }
    }
    if (i > 0) this.expiries.splice(0, i);
    return n;
  }

  snapshot(campaignId: string, day: string) {
    const b = this.get(campaignId, day);
    return {
      spentToday: b.spentDay,
      spentTotal: b.spentTotal,
      reservedToday: b.reservedDay,
      reservedTotal: b.reservedTotal,
    };
  }
}
