import * as ml from '../../packages/ml/dist/index.js';
const H = ml.HOUR_MS;
const log = await ml.readEventLog('/work/shared/datasets/events/globo_g1_clicks.csv.gz');
const h0 = ml.firstHourOf(log.histories);
const hist = log.histories.map((h) => ml.clipHistory(h, h0, h0 + 48 * H));
for (const [cut, hrs] of [[30, 6], [36, 12]]) {
const trainEnd = h0 + cut * H;
const val = ml.forecastTask(hist, h0, trainEnd, hrs);
const n = val.labels.length;
const rec = new Float32Array(n), cnt = new Float32Array(n), pos=[];
for (let i = 0; i < n; i++) { const h = val.histories[i]; const ev = h.events; rec[i] = -(val.slots[i] - ev[ev.length - 1].at); cnt[i] = ml.activeHours(h, h0, trainEnd); }
console.log('cut', cut, 'pairs', n, 'posrate', val.labels.reduce((a,b)=>a+b,0)/n);
console.log(' recency AUC', ml.auc(val.labels, rec).toFixed(4), ' activeHours AUC', ml.auc(val.labels, cnt).toFixed(4));
const f = ml.FrequencyBaseline.fit([...val.users].map(u=>hist[u]), h0, trainEnd);
const pf = f.predict(val.histories, val.slots);
let mean=0; for (const p of pf) mean+=p; console.log(' freq trunc prior', f.prior, 'AUC', ml.auc(val.labels, pf).toFixed(4), 'LL', ml.logLoss(val.labels, pf).toFixed(4), 'meanp', (mean/n).toFixed(4));
const counts = [...val.users].map(u=>ml.activeHours(hist[u], h0, trainEnd));
const pr = ml.fitBetaBinomial(counts, cut, false);
const pf2 = new Float32Array(n); for (let i=0;i<n;i++) pf2[i]=(counts[val.pairUser[i]]+pr.alpha)/(cut+pr.alpha+pr.beta);
mean=0; for (const p of pf2) mean+=p; console.log(' freq plain prior', pr, 'AUC', ml.auc(val.labels, pf2).toFixed(4), 'LL', ml.logLoss(val.labels, pf2).toFixed(4), 'meanp', (mean/n).toFixed(4));
for (const m of [1, 4, 16]) { const hb = new ml.HourOfDayBaseline(f, m); const p = hb.predict(val.histories, val.slots); console.log(' hod m', m, 'AUC', ml.auc(val.labels, p).toFixed(4), 'LL', ml.logLoss(val.labels, p).toFixed(4)); }
// recency x horizon combination: auc per horizon
for (const k of [0, 1, 3, hrs-1]) { const idx=[]; for (let i=0;i<n;i++) if ((val.slots[i]-trainEnd)/H===k) idx.push(i); const l=idx.map(i=>val.labels[i]); console.log('  horizon',k,'pos',(l.reduce((a,b)=>a+b,0)/l.length).toFixed(4),'recAUC',ml.auc(l, idx.map(i=>rec[i])).toFixed(4),'freqAUC',ml.auc(l, idx.map(i=>pf[i])).toFixed(4)); }
}
