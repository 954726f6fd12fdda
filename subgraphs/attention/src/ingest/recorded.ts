import { type AttentionRecordedData, type MeshEvent, meshEvent } from '@attention-mesh/platform';
import type { MeasuredEvent } from '../projection/rollups.js';

type Target = AttentionRecordedData['targets'][number];
type PlacementAttention = AttentionRecordedData['placements'][number];

export function attentionRecordedEvents(
  measured: readonly MeasuredEvent[],
): MeshEvent<AttentionRecordedData, 'attention.recorded'>[] {
  const byUser = new Map<
    string,
    AttentionRecordedData & {
      byTarget: Map<string, Target>;
      byPlacement: Map<string, PlacementAttention>;
    }
  >();
  for (const { event: e, delta } of measured) {
    if (!e.userId) continue;
    let s = byUser.get(e.userId);
    if (!s) {
      s = {
        events: 0,
        impressions: 0,
        clicks: 0,
        engagedMs: 0,
        targets: [],
        placements: [],
        lastEventAt: 0,
        byTarget: new Map(),
        byPlacement: new Map(),
      };
      byUser.set(e.userId, s);
    }
    s.events += 1;
    s.impressions += delta.impressions;
    s.clicks += delta.clicks;
    s.engagedMs += delta.engagedMs;
    s.lastEventAt = Math.max(s.lastEventAt, e.occurredAt);
    const key = `${e.targetType}|${e.targetId}`;
    const t = s.byTarget.get(key) ?? { type: e.targetType, id: e.targetId, engagedMs: 0 };
    t.engagedMs += delta.engagedMs;
    s.byTarget.set(key, t);
    const placementId = e.targetType === 'PLACEMENT' ? e.targetId : e.placementId;
    if (placementId) {
      const p = s.byPlacement.get(placementId) ?? {
        id: placementId,
        impressions: 0,
        viewable: 0,
        engagedMs: 0,
      };
      p.impressions += delta.impressions;
      p.viewable += delta.viewable;
      p.engagedMs += delta.engagedMs;
      s.byPlacement.set(placementId, p);
    }
  }
  return [...byUser].map(([userId, { byTarget, byPlacement, ...data }]) =>
    meshEvent(
      'attention.recorded',
      { __typename: 'User', id: userId },
      { ...data, targets: [...byTarget.values()], placements: [...byPlacement.values()] },
      { userId },
    ),
  );
}
