import { loadStage2, saveStage2, Stage2Head } from '../../src/classifier/stage2.js';
const [src, out, lo, hi, a, b, c] = process.argv.slice(2);
const h = loadStage2(src!);
const shipped = loadStage2('models/guard-stage2.json');
saveStage2(new Stage2Head(h.encoder, h.dim, h.threshold, h.unsafeHead, shipped.topicHead, { note: 'experiment, not shipped' }, { band: [Number(lo), Number(hi)], forBand: [0.325, 0.675], combine: { stage1: Number(a), stage2: Number(b), bias: Number(c) } }), out!);
