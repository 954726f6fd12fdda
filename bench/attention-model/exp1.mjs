import * as ml from '../../packages/ml/dist/index.js';
const H = ml.HOUR_MS;
const sel = await ml.selectBackend({ force: process.env.BK });
console.log('backend', sel.backend);
let t = Date.now();
const log = await ml.readEventLog('/work/shared/datasets/events/globo_g1_clicks.csv.gz');
console.log('read', log.events, log.histories.length, Date.now() - t, 'ms');
const h0 = ml.firstHourOf(log.histories);
const hist = log.histories.map((h) => ml.clipHistory(h, h0, h0 + 48 * H));
const trainEnd = h0 + 30 * H;
const val = ml.forecastTask(hist, h0, trainEnd, 6);
console.log('val pairs', val.labels.length, 'users', val.users.length, 'pos', val.labels.reduce((a, b) => a + b, 0) / val.labels.length);
const trainHist = hist.map((h) => ml.clipHistory(h, h0, trainEnd));
const freq = ml.FrequencyBaseline.fit(val.users.length ? [...val.users].map((u) => trainHist[u]) : [], h0, trainEnd);
console.log('prior', freq.prior);
const pb = freq.predict(val.histories, val.slots);
console.log('baseline AUC', ml.auc(val.labels, pb), 'LL', ml.logLoss(val.labels, pb));
t = Date.now();
const ex = ml.buildExamples({ histories: trainHist, start: h0, end: trainEnd }, { maxExamples: Number(process.env.MAXEX ?? 200000), seed: 42 });
console.log('examples', ex.labels.length, 'cands', ex.candidates, ex.candidatePositives, ex.positiveRate, ex.negativeRate, Date.now() - t, 'ms');
const res = await ml.trainEngagementModel({ histories: trainHist, start: h0, end: trainEnd }, {
  examples: ex, epochs: Number(process.env.EPOCHS ?? 3), lr: Number(process.env.LR ?? 0.003), batchSize: Number(process.env.BS ?? 256), seed: 42,
  model: { selfAttention: process.env.SA === '1', dayOfWeek: process.env.DOW !== '0', dim: Number(process.env.DIM ?? 32) },
  onEpochEnd: async (s, model) => {
    const t1 = Date.now();
    const p = await model.predict(val.histories, val.slots);
    console.log('epoch', s.epoch, 'loss', s.loss.toFixed(4), s.seconds.toFixed(1) + 's', 'val AUC', ml.auc(val.labels, p).toFixed(4), 'LL', ml.logLoss(val.labels, p).toFixed(4), 'pred', Date.now() - t1, 'ms', ml.backendInfo().numTensors);
  },
});
console.log('params', res.model.parameterCount());
