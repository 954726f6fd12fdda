import { type EventLog, fail, LogBuilder, readLines } from './lines.js';

/** The header line of the Globo.com G1 clicks files. */
export const GLOBO_HEADER =
  'user_id,session_id,session_start,session_size,click_article_id,click_timestamp,click_environment,click_deviceGroup,click_os,click_country,click_region,click_referrer_type';

/**
 * Reads the Globo.com G1 clicks CSV (optionally gzipped): one event per click at `click_timestamp`
 * (epoch ms) for `user_id`, weight 1.
 */
export async function readGloboClicks(path: string): Promise<EventLog> {
  const log = new LogBuilder();
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (lineNo === 1) {
      if (line.trim() !== GLOBO_HEADER)
        fail(path, 1, `not a Globo clicks file; expected the header ${GLOBO_HEADER}`);
      continue;
    }
    if (line.trim() === '') continue;
    const cols = line.split(',');
    if (cols.length !== 12) fail(path, lineNo, `expected 12 columns, found ${cols.length}`);
    const at = Number(cols[5]);
    if (!cols[0] || !Number.isFinite(at)) fail(path, lineNo, 'bad user_id or click_timestamp');
    log.add(cols[0], { at, weight: 1 });
  }
  return log.build();
}
