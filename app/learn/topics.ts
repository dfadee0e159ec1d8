// What the explanations say: for every layer, activation, loss, optimiser, regulariser and metric the
// playground lets a person choose, its formula (TeX, typeset by KaTeX), what it is good for, a pitfall,
// and which live plot, if any, goes with it.
import type { LayerType } from '../../src/engine/graph';
import type { ActivationName, LossName } from './functions';

export type Plot =
  | { kind: 'activation'; activation: ActivationName }
  | { kind: 'loss'; loss: LossName }
  | { kind: 'schedule' }
  | { kind: 'dropout' };

export interface Topic {
  title: string;
  /** Display-mode TeX. */
  formula: string;
  /** What the symbols in the formula mean. */
  where?: string;
  goodFor: string;
  pitfall: string;
  plot?: Plot;
}

const tex = String.raw;

const ACTIVATIONS = {
  linear: {
    title: 'Linear (no activation)',
    formula: tex`f(x) = x, \qquad f'(x) = 1`,
    goodFor: 'The output layer of a regression, where the prediction may be any real number.',
    pitfall: 'Layers stacked without a non-linearity between them collapse into one linear map: depth adds nothing.',
    plot: { kind: 'activation', activation: 'linear' },
  },
  relu: {
    title: 'ReLU',
    formula: tex`\mathrm{ReLU}(x) = \max(0, x), \qquad \mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}`,
    goodFor:
      'Hidden layers of most networks: cheap, and its gradient does not shrink for positive inputs, so deep networks train.',
    pitfall:
      'A unit whose input is negative for every sample gets zero gradient and never recovers ("dead ReLU"); too high a learning rate makes many die.',
    plot: { kind: 'activation', activation: 'relu' },
  },
  'leaky-relu': {
    title: 'Leaky ReLU',
    formula: tex`f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}, \qquad f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}`,
    where: "α is the small slope for negative inputs (the layer's Alpha, often 0.01 to 0.3).",
    goodFor: 'Like ReLU, but a unit with negative input still passes a little gradient, so it cannot die.',
    pitfall: 'With α = 1 it is linear and the layer adds no non-linearity; with α = 0 it is plain ReLU.',
    plot: { kind: 'activation', activation: 'leaky-relu' },
  },
  sigmoid: {
    title: 'Sigmoid',
    formula: tex`\sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)`,
    goodFor:
      'The single output unit of a two-class classifier: it gives p(class 1) in (0, 1), trained with binary cross-entropy.',
    pitfall:
      'Its derivative is at most 0.25 and vanishes for large |x|: deep stacks of sigmoid layers learn very slowly (vanishing gradients).',
    plot: { kind: 'activation', activation: 'sigmoid' },
  },
  tanh: {
    title: 'Tanh',
    formula: tex`\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}, \qquad \tanh'(x) = 1 - \tanh^2(x)`,
    goodFor: 'Hidden layers that should output values centred on zero in (-1, 1), as in the classic LeNet.',
    pitfall: 'It saturates like sigmoid: for |x| above about 3 the gradient is nearly zero.',
    plot: { kind: 'activation', activation: 'tanh' },
  },
  softmax: {
    title: 'Softmax',
    formula: tex`\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}, \qquad \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j)`,
    where:
      'z are the K logits of one sample. The plot shows p₁ for two classes with logits (x, 0): softmax then equals sigmoid(x).',
    goodFor:
      'The output layer of a classifier with one unit per class: the outputs are positive and sum to 1, trained with cross-entropy.',
    pitfall:
      'Only on the last layer; adding a constant to every logit changes nothing, and very large logits make it overconfident.',
    plot: { kind: 'activation', activation: 'softmax' },
  },
} satisfies Record<ActivationName, Topic>;

const LOSSES = {
  mse: {
    title: 'Mean squared error',
    formula: tex`L = \frac{1}{N} \sum_{n=1}^{N} \lVert \hat y_n - y_n \rVert^2`,
    where: 'ŷ is the prediction, y the target. The plot shows one example with target 1.',
    goodFor:
      'Regression: predicting numbers. Used here when the design ends in a Dense layer without softmax or sigmoid.',
    pitfall:
      'Squaring makes outliers dominate; on class probabilities its gradient is weak when the model is confidently wrong.',
    plot: { kind: 'loss', loss: 'mse' },
  },
  'cross-entropy': {
    title: 'Cross-entropy',
    formula: tex`L = -\frac{1}{N} \sum_{n=1}^{N} \log p_{n, y_n}, \qquad p_n = \mathrm{softmax}(z_n)`,
    where: 'p_{n,y} is the probability the model gives to the true class of sample n.',
    goodFor:
      'Multi-class classification with a softmax output. Used here when the design ends in softmax; the engine fuses the two for stability.',
    pitfall:
      'A confident wrong answer costs a lot (−log p grows without bound as p → 0), so label noise can dominate training.',
    plot: { kind: 'loss', loss: 'cross-entropy' },
  },
  bce: {
    title: 'Binary cross-entropy',
    formula: tex`L = -\frac{1}{N} \sum_{n=1}^{N} \bigl[\, y_n \log \sigma(z_n) + (1 - y_n) \log\bigl(1 - \sigma(z_n)\bigr) \bigr]`,
    where: "z is the single output unit's logit and y ∈ {0, 1}. The plot shows one example of class 1.",
    goodFor:
      'Two-class problems with one sigmoid output unit. The engine computes it from the logit ("with logits"), which avoids log(0).',
    pitfall:
      'With a very unbalanced data set a model can score a low loss by always predicting the common class: look at recall and AUC too.',
    plot: { kind: 'loss', loss: 'bce' },
  },
} satisfies Record<LossName, Topic>;

export type OptimizerTopic = 'sgd' | 'adam' | 'rmsprop';

const OPTIMIZERS = {
  sgd: {
    title: 'SGD with momentum',
    formula: tex`v_t = \mu\, v_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, v_t`,
    where:
      'g is the gradient of the batch loss, η the learning rate, μ the momentum (0 = plain SGD). Nesterov uses g_t + μ v_t in the update.',
    goodFor:
      'Simple and well understood; with momentum 0.9 and a decaying rate it often generalises best on image tasks.',
    pitfall:
      'Sensitive to the learning rate: too high diverges, too low crawls. Momentum multiplies the effective step by about 1 / (1 − μ).',
  },
  adam: {
    title: 'Adam',
    formula: tex`\begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \quad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\ \theta_t &= \theta_{t-1} - \eta\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} \end{aligned}`,
    where: 'β₁ = 0.9, β₂ = 0.999, ε = 1e-8; m and v are running means of the gradient and its square.',
    goodFor: 'A good default: each weight gets its own step size, so 0.001 works for most networks without tuning.',
    pitfall:
      "L2 added to the loss is scaled down by Adam's per-weight step for weights with large gradients, so it regularises less than with SGD.",
  },
  rmsprop: {
    title: 'RMSprop',
    formula: tex`v_t = \rho\, v_{t-1} + (1 - \rho)\, g_t^2, \qquad \theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}`,
    where: 'ρ ≈ 0.9 is the decay of the running mean of squared gradients.',
    goodFor:
      'Noisy or non-stationary gradients (recurrent networks, reinforcement learning); like Adam without momentum.',
    pitfall: 'Needs a smaller rate than SGD (around 0.001); early steps can be large while v is still small.',
  },
} satisfies Record<OptimizerTopic, Topic>;

export type RegulariserTopic = 'l1' | 'l2' | 'dropout' | 'early-stopping';

const REGULARISERS = {
  l1: {
    title: 'L1 penalty',
    formula: tex`L' = L + \lambda_1 \sum_i |w_i|, \qquad \frac{\partial L'}{\partial w_i} = \frac{\partial L}{\partial w_i} + \lambda_1 \operatorname{sign}(w_i)`,
    goodFor: 'Sparse weights: it pushes unimportant weights to exactly zero, a form of feature selection.',
    pitfall:
      'Too large a λ₁ zeroes everything and the model predicts a constant; values around 1e-5 to 1e-3 are typical.',
  },
  l2: {
    title: 'L2 weight decay',
    formula: tex`L' = L + \frac{\lambda_2}{2} \sum_i w_i^2, \qquad \frac{\partial L'}{\partial w_i} = \frac{\partial L}{\partial w_i} + \lambda_2 w_i`,
    goodFor: 'Smaller, smoother weights and less overfitting; the most common regulariser (1e-4 is a usual start).',
    pitfall: 'It fights the data: too large a λ₂ underfits, and training loss stays high.',
  },
  dropout: {
    title: 'Dropout',
    formula: tex`y_i = \frac{m_i\, x_i}{1 - p}, \qquad m_i \sim \mathrm{Bernoulli}(1 - p) \quad \text{(training only; } y = x \text{ at test time)}`,
    where:
      'p is the drop rate. Kept units are scaled by 1 / (1 − p) so the expected output is the same in training and testing.',
    goodFor:
      'Large dense layers that overfit: units cannot rely on each other, which acts like averaging many thinned networks.',
    pitfall:
      'Training loss and accuracy look worse than test (the mask is on only while training); high rates on small layers underfit.',
    plot: { kind: 'dropout' },
  },
  'early-stopping': {
    title: 'Early stopping',
    formula: tex`\text{stop after epoch } e \text{ if } \min_{k \le e} L_{\text{val}}(k) = \min_{k \le e - P} L_{\text{val}}(k)`,
    where: 'P is the patience: the number of epochs the validation loss may go without a new best.',
    goodFor:
      'Stops when the model starts to overfit, without guessing the number of epochs. Needs a validation split above 0.',
    pitfall:
      "The weights kept are the last epoch's, not the best one's; a patience of 1 stops on noise, so 3 to 10 is usual.",
  },
} satisfies Record<RegulariserTopic, Topic>;

export type MetricTopic = 'accuracy' | 'precision' | 'recall' | 'f1' | 'roc-auc' | 'confusion-matrix';

const METRICS = {
  accuracy: {
    title: 'Accuracy',
    formula: tex`\text{accuracy} = \frac{\#\{n : \hat y_n = y_n\}}{N}`,
    goodFor: 'A single number for balanced classes: the share of test samples classified right.',
    pitfall: 'Misleading with unbalanced classes: 95% accuracy is what "always say no" scores when 5% are positive.',
  },
  precision: {
    title: 'Precision',
    formula: tex`\text{precision}_c = \frac{TP_c}{TP_c + FP_c}`,
    where: 'TP: samples of class c predicted c; FP: samples of other classes predicted c.',
    goodFor: 'When a false alarm is costly: of the samples called c, how many are c.',
    pitfall: 'A model that rarely predicts c can have high precision and still miss most of class c (look at recall).',
  },
  recall: {
    title: 'Recall',
    formula: tex`\text{recall}_c = \frac{TP_c}{TP_c + FN_c}`,
    where: 'FN: samples of class c predicted as another class.',
    goodFor: 'When a miss is costly: of the samples of class c, how many were found.',
    pitfall: 'Predicting c for everything gives recall 1; read it together with precision.',
  },
  f1: {
    title: 'F1 score',
    formula: tex`F_1 = \frac{2\, \text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}`,
    goodFor: 'One number that is high only when both precision and recall are: the harmonic mean.',
    pitfall: 'It ignores true negatives, and the macro average weighs a rare class as much as a common one.',
  },
  'roc-auc': {
    title: 'ROC curve and AUC',
    formula: tex`\text{TPR}(t) = \frac{TP(t)}{P}, \quad \text{FPR}(t) = \frac{FP(t)}{N}, \qquad \text{AUC} = \int_0^1 \text{TPR}\; d\,\text{FPR} = P(s_+ > s_-)`,
    where:
      'Each threshold t on the predicted probability gives one point; AUC is the chance that a random positive scores above a random negative (ties count half). With more than two classes each class is scored one-vs-rest.',
    goodFor: 'Judging the ranking a model makes, independent of the 0.5 threshold and of class balance.',
    pitfall:
      'Undefined when the test set has only one class; a high AUC can hide poor calibration or a bad operating threshold.',
  },
  'confusion-matrix': {
    title: 'Confusion matrix',
    formula: tex`C_{tp} = \#\{n : y_n = t,\ \hat y_n = p\}`,
    where: 'Rows are true classes, columns predicted ones; the diagonal counts correct answers.',
    goodFor: 'Seeing which classes are mistaken for which (on MNIST, 4 for 9 and 3 for 5).',
    pitfall: 'Raw counts hide rates when classes differ in size; compare each row with its support.',
  },
} satisfies Record<MetricTopic, Topic>;

const SCHEDULE: Topic = {
  title: 'Learning-rate schedule',
  formula: tex`\eta_t = \begin{cases} \eta_0 & \text{constant} \\ \eta_0\, \gamma^{\lfloor t / s \rfloor} & \text{step decay} \\ \tfrac{1}{2}\, \eta_0 \bigl(1 + \cos(\pi\, t / T)\bigr) & \text{cosine} \end{cases}`,
  where: 't is the optimiser step, s the steps between drops, γ the decay factor, T the total steps of the run.',
  goodFor: 'Large steps early to make progress, small steps late to settle into a minimum.',
  pitfall: 'A schedule cannot rescue a base rate that diverges in the first steps; tune the rate first.',
  plot: { kind: 'schedule' },
};

type LayerTopicId = `layer-${LayerType}`;

const LAYER_TOPICS: Partial<Record<LayerTopicId, Topic>> = {
  'layer-Input': {
    title: 'Input layer',
    formula: tex`x \in \mathbb{R}^{d} \quad \text{or} \quad x \in \mathbb{R}^{H \times W \times C}`,
    goodFor: 'Says what one sample looks like: a vector of features, or an image height × width × channels.',
    pitfall: 'Its shape must match the data set (28×28×1 for MNIST, 2 for the 2-D sets), or training refuses to start.',
  },
  'layer-Dense': {
    title: 'Dense (fully connected)',
    formula: tex`y = f(x W + b), \qquad W \in \mathbb{R}^{d_{\text{in}} \times d_{\text{out}}},\ b \in \mathbb{R}^{d_{\text{out}}}`,
    where: "f is the layer's activation.",
    goodFor: 'Combining every input feature; the classic multi-layer perceptron is Dense layers in a row.',
    pitfall: 'Parameters grow as inputs × units: a Dense layer right after a large image holds most of the model.',
  },
  'layer-Conv2D': {
    title: 'Conv2D',
    formula: tex`y_{i,j,o} = f\Bigl(b_o + \sum_{u,v,c} x_{s i + u,\, s j + v,\, c}\; K_{u,v,c,o}\Bigr)`,
    where: 'K is a k × k kernel per output channel o, s the stride; the same kernel slides over the whole image.',
    goodFor: 'Images: few weights shared over all positions, so it finds the same edge or stroke anywhere.',
    pitfall: "'valid' padding shrinks the image by k − 1 per layer; stacks of them can shrink it to nothing.",
  },
  'layer-MaxPool2D': {
    title: 'Max pooling',
    formula: tex`y_{i,j,c} = \max_{0 \le u, v < k} x_{s i + u,\, s j + v,\, c}`,
    goodFor:
      'Halving height and width (k = s = 2) while keeping the strongest response: cheap, a little shift-invariant.',
    pitfall: 'It throws away where in the window a feature was; too much pooling loses fine detail.',
  },
  'layer-AvgPool2D': {
    title: 'Average pooling',
    formula: tex`y_{i,j,c} = \frac{1}{k^2} \sum_{0 \le u, v < k} x_{s i + u,\, s j + v,\, c}`,
    goodFor: 'Downsampling that keeps the mean response; smoother than max pooling.',
    pitfall: 'A strong but small feature is diluted by its neighbours.',
  },
  'layer-GlobalAvgPool': {
    title: 'Global average pooling',
    formula: tex`y_c = \frac{1}{H W} \sum_{i,j} x_{i,j,c}`,
    goodFor: 'Ending a CNN with one value per channel instead of Flatten + a large Dense layer: far fewer parameters.',
    pitfall: 'All spatial information is gone; the channels must already encode what matters.',
  },
  'layer-Flatten': {
    title: 'Flatten',
    formula: tex`\mathbb{R}^{H \times W \times C} \to \mathbb{R}^{H W C}`,
    goodFor: 'Turning an image-shaped tensor into a vector so Dense layers can follow.',
    pitfall: 'It has no parameters, but the Dense layer after it gets H·W·C inputs each: watch the parameter count.',
  },
  'layer-BatchNorm': {
    title: 'Batch normalisation',
    formula: tex`\hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta`,
    where:
      "μ_B, σ²_B are the batch mean and variance per channel while training; moving averages of them (the layer's momentum) are used at test time.",
    goodFor: 'Faster, steadier training of deep networks; allows higher learning rates.',
    pitfall: 'Very small batches give noisy statistics; training and test behaviour differ, so evaluate in test mode.',
  },
  'layer-Add': {
    title: 'Add (residual connection)',
    formula: tex`y = x_1 + x_2 + \dots`,
    goodFor: 'Skip connections (y = x + F(x)): gradients flow straight through, so very deep networks train.',
    pitfall: 'All inputs must have exactly the same shape.',
  },
  'layer-Concatenate': {
    title: 'Concatenate',
    formula: tex`y = [\,x_1 \,\|\, x_2 \,\|\, \dots] \quad \text{(along channels)}`,
    goodFor: 'Joining features from several branches (as in Inception or U-Net).',
    pitfall: 'All axes but the channel axis must match; the next layer gets the sum of the channels.',
  },
};

/** Every explanation, by id. Activation layers share their activation's explanation. */
export const TOPICS = {
  ...ACTIVATIONS,
  ...LOSSES,
  ...OPTIMIZERS,
  ...REGULARISERS,
  ...METRICS,
  schedule: SCHEDULE,
  ...LAYER_TOPICS,
} as Record<TopicId, Topic>;

export type TopicId =
  ActivationName | LossName | OptimizerTopic | RegulariserTopic | MetricTopic | 'schedule' | LayerTopicId;

const LAYER_AS_TOPIC: Partial<Record<LayerType, TopicId>> = {
  ReLU: 'relu',
  LeakyReLU: 'leaky-relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Softmax: 'softmax',
  Dropout: 'dropout',
};

/** The explanation of a layer type (activation layers and Dropout share their function's). */
export function layerTopic(type: LayerType): TopicId {
  return LAYER_AS_TOPIC[type] ?? `layer-${type}`;
}

/** The explanation of an activation as the designer names it ('relu', 'linear', ...). */
export function activationTopic(name: string): TopicId | null {
  return name in ACTIVATIONS ? (name as ActivationName) : null;
}

/** The loss the engine trains with for a design's output, by the engine's loss names. */
export function lossTopic(engineLoss: string): LossName {
  if (engineLoss === 'softmax-cross-entropy') return 'cross-entropy';
  if (engineLoss === 'bce-with-logits') return 'bce';
  return 'mse';
}
