/** The ids of a campaign's spend counters: its total, and one per local day. */
export const spendTotalId = (campaignId: string) => `${campaignId}|total`;
export const spendDayId = (campaignId: string, day: string) => `${campaignId}|${day}`;
