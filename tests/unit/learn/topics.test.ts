import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { designLoss } from '../../../app/learn/designLoss';
import { activationTopic, layerTopic, TOPICS, type TopicId } from '../../../app/learn/topics';
import { ACTIVATIONS, analyzeDesign, LAYER_TYPES, planModel, TEMPLATES } from '../../../src/engine/graph';
import { lossForDesign } from '../../../src/engine/model/graph-model';

const LOSS_OF_ENGINE = { 'softmax-cross-entropy': 'cross-entropy', 'bce-with-logits': 'bce', mse: 'mse' } as const;

describe('explanations', () => {
  it('cover every layer type, activation, loss, optimiser, regulariser and metric', () => {
    const required: TopicId[] = [
      ...LAYER_TYPES.map(layerTopic),
      ...ACTIVATIONS.map((a) => activationTopic(a)!),
      'leaky-relu',
      'mse',
      'cross-entropy',
      'bce',
      'sgd',
      'adam',
      'rmsprop',
      'schedule',
      'l1',
      'l2',
      'dropout',
      'early-stopping',
      'accuracy',
      'precision',
      'recall',
      'f1',
      'roc-auc',
      'confusion-matrix',
    ];
    for (const id of required) {
      const topic = TOPICS[id];
      expect(topic, id).toBeDefined();
      expect(topic.goodFor.length, id).toBeGreaterThan(20);
      expect(topic.pitfall.length, id).toBeGreaterThan(20);
    }
  });

  it('have formulas that KaTeX typesets without errors', () => {
    for (const [id, topic] of Object.entries(TOPICS)) {
      expect(() => katex.renderToString(topic.formula, { displayMode: true, throwOnError: true }), id).not.toThrow();
    }
  });

  it('plot each activation, the schedule and dropout', () => {
    for (const a of ['relu', 'leaky-relu', 'sigmoid', 'tanh', 'softmax'] as const) {
      expect(TOPICS[a].plot).toEqual({ kind: 'activation', activation: a });
    }
    expect(TOPICS.schedule.plot).toEqual({ kind: 'schedule' });
    expect(TOPICS.dropout.plot).toEqual({ kind: 'dropout' });
    expect(layerTopic('ReLU')).toBe('relu');
    expect(layerTopic('Dense')).toBe('layer-Dense');
  });

  it('name the loss the engine trains each template with', () => {
    for (const template of TEMPLATES) {
      const design = template.build();
      const engine = lossForDesign(planModel(design));
      expect(designLoss(design, analyzeDesign(design)), template.id).toBe(LOSS_OF_ENGINE[engine]);
    }
  });
});
