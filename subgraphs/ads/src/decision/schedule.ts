import { localTime } from '@attention-mesh/platform';
import type { DecisionCampaign, ScheduleWindow } from './types.js';

/** Whether `at` falls in one of the windows, read in `timeZone`; an empty schedule means always. */
export function isInSchedule(schedule: readonly ScheduleWindow[], timeZone: string, at: number): boolean {
  if (schedule.length === 0) return true;
  const { day, hour } = localTime(timeZone, at);
  for (const w of schedule) {
    if (hour >= w.startHour && hour < w.endHour && w.days.includes(day)) return true;
  }
  return false;
}

/** Whether the campaign runs at `at`: active, within [startAt, endAt) and its schedule. */
export function isRunning(
  c: Pick<DecisionCampaign, 'status' | 'startAt' | 'endAt' | 'schedule' | 'timezone'>,
  at: number,
): boolean {
  if (c.status !== 'ACTIVE' || at < c.startAt) return false;
  if (c.endAt !== null && at >= c.endAt) return false;
  return isInSchedule(c.schedule, c.timezone, at);
}
