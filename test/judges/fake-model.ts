import type { ClassifierModel, ResponsePrediction, TextPrediction } from '../../src/judges/index.js';

/**
 * A rule-based stand-in for the classifier, so pipeline tests pin the combination logic exactly
 * (the real classifier is tested in refusal.test.ts). Markers in the response pick the label:
 * [refused] [complied] [deflected] [partial], [unsure] lowers p; [cbrn3] makes the text read as
 * operational CBRN content.
 */
export function fakeModel(): ClassifierModel {
  return {
    predictResponse(text: string): ResponsePrediction {
      const label = (['refused', 'deflected', 'partial', 'complied'] as const).find((l) => text.includes(`[${l}]`)) ?? 'complied';
      const p = text.includes('[unsure]') ? 0.4 : 0.9;
      const rest = (1 - p) / 3;
      const scores = { refused: rest, complied: rest, deflected: rest, partial: rest, [label]: p } as ResponsePrediction['scores'];
      return { label, p, scores, explanation: [`marker ${label}`] };
    },
    predict(text: string): TextPrediction {
      if (text.includes('[cbrn3]')) {
        return { topic: 'cbrn', topicScore: 0.95, topics: [{ topic: 'cbrn', p: 0.95 }], level: 3, levelScores: [0.01, 0.02, 0.07, 0.9], explanation: ['cbrn'] };
      }
      return { topic: null, topicScore: 0.05, topics: [{ topic: 'none', p: 0.95 }], level: 0, levelScores: [0.9, 0.05, 0.03, 0.02], explanation: [] };
    },
  };
}
