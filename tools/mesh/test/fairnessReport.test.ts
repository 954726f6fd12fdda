import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_JWT_SECRET } from '@attention-mesh/platform';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAuditPage } from '../src/fairness/auditPage.js';
import type { FairnessAudit } from '../src/fairness/fetchAudit.js';
import { parseReportArgs, ReportArgsError, runFairnessReport } from '../src/fairness/reportCli.js';
import { escapeXml, lorenzSvg, selectionRatioSvg } from '../src/fairness/svgPlots.js';

const NOW = new Date('2026-12-04T12:00:00Z');

describe('parseReportArgs', () => {
  it('defaults to the local gateway, the last 24 hours, 20 groups and 20 Lorenz points', () => {
    const a = parseReportArgs([], {}, NOW);
    expect(a).toEqual({
      out: '.data/fairness-report.html',
      url: 'http://localhost:4000/graphql',
      from: new Date('2026-12-03T12:00:00Z'),
      to: NOW,
      first: 20,
      points: 20,
    });
    expect(parseReportArgs([], { MESH_PORT_BASE: '5000' }, NOW).url).toBe('http://localhost:5000/graphql');
  });

  it('refuses bad options, naming them', () => {
    const bad = (argv: string[], message: RegExp) =>
      expect(() => parseReportArgs(argv, {}, NOW)).toThrow(message);
    bad(['--first', '0'], /--first: an integer from 1 to 100/);
    bad(['--points', '101'], /--points: an integer from 2 to 100/);
    bad(['--from', 'yesterday'], /--from: an ISO-8601 time/);
    bad(['--from', '2026-12-05T00:00:00Z'], /--from must be before --to/);
    bad(['--from', '2026-10-01T00:00:00Z'], /at most 31 days/);
    bad(['--url', 'not a url'], /--url/);
    bad(['--colour', 'red'], /colour/);
    expect(() => parseReportArgs(['--first', '1.5'], {}, NOW)).toThrow(ReportArgsError);
  });
});

describe('the plots', () => {
  it('escapes labels, so a provider or segment name cannot inject markup', () => {
    expect(escapeXml(`<script>"a" & 'b'</script>`)).toBe(
      '&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;',
    );
    const svg = selectionRatioSvg('t', [
      { group: '<img src=x>', selectionRate: 0.5, fourFifthsRatio: 1, adverseImpact: false },
    ]);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x&gt;');
  });

  it('draws the Lorenz curve from (0,0) through every point to (1, last) and states the Gini', () => {
    const svg = lorenzSvg([0, 0.25, 1], 0.5);
    // Plot area 272 px from (44, 316): the points (0,0), (1/3,0), (2/3,0.25), (1,1).
    expect(svg).toContain('d="M44.0,316.0 L134.7,316.0 L225.3,248.0 L316.0,44.0"');
    expect(svg).toContain('Gini 0.500');
  });

  it('colours and notes groups under four fifths, and draws the 0.8 rule', () => {
    const svg = selectionRatioSvg('t', [
      { group: 'DE', selectionRate: 0.5, fourFifthsRatio: 1, adverseImpact: false },
      { group: 'FR', selectionRate: 0.2, fourFifthsRatio: 0.4, adverseImpact: true },
    ]);
    expect(svg).toContain('below 4/5');
    // Red: the flagged group's bar and note, and the rule's label; DE's note stays grey.
    expect(svg.match(/fill="#b00020"/g)?.length).toBe(3);
    expect(svg).toContain('fill="#555">rate 0.500</text>');
    expect(svg).toContain('>0.8</text>');
  });
});

const audit: FairnessAudit = {
  gatewayUrl: 'http://gw/graphql',
  generatedAt: NOW.toISOString(),
  from: '2026-12-03T12:00:00.000Z',
  to: NOW.toISOString(),
  exposure: {
    gini: 0.4321,
    itemsExposed: 3,
    totalExposures: 12,
    maxShare: 0.5,
    cap: 0.02,
    window: 20_000,
    catalogueSize: 4,
    lorenzCurve: [0, 0.1, 0.4, 1],
  },
  itemGroups: [
    {
      dimension: 'CATEGORY',
      groupCount: 2,
      disparateExposure: 1.75,
      groups: [
        { group: 'sports', exposures: 8, exposureShare: 0.7, relevanceShare: 0.5, ratio: 1.4 },
        { group: 'tech', exposures: 4, exposureShare: 0.3, relevanceShare: 0.375, ratio: 0.8 },
      ],
    },
    { dimension: 'PROVIDER', groupCount: 0, disparateExposure: null, groups: [] },
  ],
  userGroups: [
    {
      dimension: 'COUNTRY',
      groupCount: 3,
      highestSelectionRate: 0.5,
      flagged: 1,
      groups: [
        {
          group: 'DE',
          requests: 4,
          impressions: 2,
          clicks: 1,
          selectionRate: 0.5,
          fourFifthsRatio: 1,
          adverseImpact: false,
        },
        {
          group: 'FR',
          requests: 4,
          impressions: 1,
          clicks: 0,
          selectionRate: 0.25,
          fourFifthsRatio: 0.5,
          adverseImpact: true,
        },
      ],
    },
  ],
};

describe('renderAuditPage', () => {
  it('holds the figures, the three kinds of plot and the flags, and fetches nothing', () => {
    const html = renderAuditPage(audit);
    expect(html).toContain('Gini of item exposure\n<b>0.432</b>');
    expect(html).toContain('<b>1.75</b>');
    expect(html).toContain('(the 2 with most requests of 3)');
    expect(html).toContain('groups below four fifths of it: <b>1</b>');
    expect(html.match(/<svg /g)?.length).toBe(3); // Lorenz, category bars, country ratios
    expect(html).toContain('<p>No exposures in the window.</p>');
    expect(html).toContain('<b class="flag">below 0.8</b>');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});

describe('runFairnessReport against a gateway', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const seen: { auth?: string; query: string }[] = [];
  let answer: (query: string) => object;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairness-report-'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const { query } = JSON.parse(body) as { query: string };
        seen.push({ auth: req.headers.authorization, query });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer(query)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('reads both reports with a development analyst token and writes the page; progress on stderr', async () => {
    const e = audit.exposure;
    answer = (q) =>
      q.includes('recommendationExposure')
        ? {
            data: {
              recommendationExposure: { ...e, category: audit.itemGroups[0], provider: audit.itemGroups[1] },
            },
          }
        : {
            data: {
              country: audit.userGroups[0],
              device: { ...audit.userGroups[0], dimension: 'DEVICE', flagged: 0, groups: [] },
              segment: { ...audit.userGroups[0], dimension: 'SEGMENT', flagged: 0, groups: [] },
            },
          };
    const lines: string[] = [];
    const out = join(dir, 'audit.html');
    expect(await runFairnessReport(['--url', url, '--out', out], {}, (l) => lines.push(l))).toBe(0);
    const token = seen[0]!.auth!.replace(/^Bearer /, '');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(DEV_JWT_SECRET));
    expect(payload.scope).toBe('analytics:read');
    expect(seen.map((s) => s.query.match(/adDeliveryByUserGroup|recommendationExposure/g)?.length)).toEqual([
      1, 3,
    ]);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<b>0.432</b>');
    expect(lines.join('\n')).toMatch(
      /12 exposures of 3\/4 items, Gini 0\.432[\s\S]*COUNTRY: 3 groups, 1 below four fifths[\s\S]*wrote /,
    );
  });

  it('exits 1 with the gateway error code when the caller may not read the audit, writing nothing', async () => {
    answer = () => ({ data: null, errors: [{ message: 'not allowed', extensions: { code: 'FORBIDDEN' } }] });
    const lines: string[] = [];
    const out = join(dir, 'refused.html');
    expect(
      await runFairnessReport(['--url', url, '--out', out, '--token', 'x'], {}, (l) => lines.push(l)),
    ).toBe(1);
    expect(seen.at(-1)!.auth).toBe('Bearer x');
    expect(lines.at(-1)).toBe('recommendationExposure failed: FORBIDDEN: not allowed');
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('signs no development token in production', async () => {
    const lines: string[] = [];
    expect(await runFairnessReport(['--url', url], { NODE_ENV: 'production' }, (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/--token is required/);
  });
});
