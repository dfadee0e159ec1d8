// Prints the README.md and requirements.txt of the PyTorch download: what each file is, how to install,
// where the data goes, the commands for one GPU, several GPUs and several machines, and how to bring a
// checkpoint back into the playground.
import type { TrainSettings } from '../../../app/store/run';
import { DATA_FILE, type PytorchData } from './train-py';
import type { TorchPlan } from './torch-plan';

export const REQUIREMENTS_TXT = `# PyTorch with CUDA: see https://pytorch.org/get-started/locally/ for the
# command that matches your GPU driver if plain pip gives a CPU-only build.
torch>=2.1
safetensors>=0.4
numpy>=1.22
`;

const LOSS_TEXT: Record<TorchPlan['loss'], string> = {
  'softmax-cross-entropy': 'cross-entropy on the logits (the softmax is part of the loss)',
  'bce-with-logits': 'binary cross-entropy on the logit (the sigmoid is part of the loss)',
  mse: 'mean squared error',
};

function optimizerText(s: TrainSettings): string {
  if (s.optimizer === 'sgd') {
    if (s.momentum <= 0) return 'SGD';
    return `SGD with momentum ${s.momentum}${s.nesterov ? ' (Nesterov)' : ''}`;
  }
  return s.optimizer === 'adam' ? 'Adam (beta1 0.9, beta2 0.999, epsilon 1e-8)' : 'RMSprop (rho 0.9, epsilon 1e-7)';
}

function scheduleText(s: TrainSettings): string {
  if (s.schedule === 'step') return `multiplied by ${s.decayRate} every ${s.decayEpochs} epoch(s)`;
  if (s.schedule === 'cosine') return 'cosine decay to 0 over the epochs';
  return 'constant';
}

/** Text on one line (names may hold line breaks), for headings and table cells. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function dataSection(data: PytorchData): string {
  if (data.kind === 'mnist') {
    return `## Data: MNIST

Put the four MNIST idx files (gzipped or not) in \`data/mnist/\`, or pass
\`--data-dir\`:

    data/mnist/train-images-idx3-ubyte.gz
    data/mnist/train-labels-idx1-ubyte.gz
    data/mnist/t10k-images-idx3-ubyte.gz
    data/mnist/t10k-labels-idx1-ubyte.gz

They are the files of the MNIST distribution (any mirror; torchvision downloads
the same files into \`MNIST/raw/\`). Pixels are normalised as in the playground:
\`(byte / 255 - 0.1307) / 0.3081\`. The model trains on the 60,000 training
images and is tested on the 10,000 test images after every epoch.`;
  }
  const targets =
    data.task === 'regression'
      ? '`targets`: the values to predict, `[N, ...]`'
      : `\`labels\`: the class of each row, \`[N]\`, 0 to ${data.classes - 1}`;
  return `## Data: ${oneLine(data.name)}

\`${DATA_FILE}\` holds the data set as the playground trained on it:

- \`x\`: the samples, \`[N, ${data.inputShape.join(', ')}]\`, as the model sees them (pixels
  already normalised; a uint8 \`x\` would be normalised like the playground's
  images, \`(byte / 255 - 0.1307) / 0.3081\`);
- ${targets};
- \`train_idx\`, \`val_idx\`, \`test_idx\`: row numbers of \`x\` for training, validation
  (early stopping) and the test after every epoch; only \`train_idx\` must have rows.

Labels and row numbers are stored as float32 whole numbers (the playground
writes float32 tensors only); train.py turns them into integers. Pass another
file with \`--data\`.`;
}

/** README.md of the download. */
export function readmeMd(plan: TorchPlan, settings: TrainSettings, data: PytorchData): string {
  const s = settings;
  return `# ${oneLine(plan.designName) || 'Playground model'} in PyTorch

Exported from the deep-learning playground to continue training on real GPUs.

| File | What it is |
| --- | --- |
| \`model.py\` | The network as a PyTorch \`nn.Module\` (\`PlaygroundModel\`), and the functions that read and write the playground's weights files |
| \`train.py\` | Continues training with the run's settings, on one GPU, several GPUs or several machines |
| \`design.json\` | The design; written into every weights file so the playground knows the network |
| \`weights.safetensors\` | The weights trained in the browser (the starting point) |
${data.kind === 'dataset' ? `| \`${DATA_FILE}\` | The data set |\n` : ''}| \`requirements.txt\` | The Python packages |

## Install

    python -m venv .venv && . .venv/bin/activate
    pip install -r requirements.txt

${dataSection(data)}

## Train

One GPU (or the CPU when there is no GPU):

    python train.py

Several GPUs on one machine (here 4), with DistributedDataParallel:

    torchrun --standalone --nproc_per_node=4 train.py

Several machines (here 2 with 8 GPUs each): copy this folder and the data to
every machine and run, on each, with \`--node_rank\` 0 on the first and 1 on the
second, and the first machine's address:

    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 \\
        --master_addr=10.0.0.1 --master_port=29500 train.py

\`--batch-size\` is the batch of one optimiser step over all processes (it
must split evenly over them), so the updates are those of one GPU.

The run's settings are the defaults; flags override them (\`python train.py --help\`):

| Setting | Value | Flag |
| --- | --- | --- |
| Loss | ${LOSS_TEXT[plan.loss]} | |
| Optimiser | ${optimizerText(s)} | \`--optimizer\`, \`--momentum\`, \`--nesterov\` |
| Learning rate | ${s.learningRate}, ${scheduleText(s)} | \`--lr\`, \`--schedule\`, \`--decay-epochs\`, \`--decay-rate\` |
| Batch size | ${s.batchSize} | \`--batch-size\` |
| Epochs | ${s.epochs} | \`--epochs\` |
| L1 / L2 on kernels | ${s.l1} / ${s.l2} (added to the gradient, as in the playground) | \`--l1\`, \`--l2\` |
| Seed | ${s.seed} | \`--seed\` |

Each epoch, the first process prints the training loss and accuracy (and the
test figures) and writes \`checkpoints/epoch-NNN.safetensors\` (weights, in the
playground's layout) with \`checkpoints/epoch-NNN.pt\` (optimiser state) beside
it. To go on after an interruption:

    python train.py --resume                 # the latest checkpoint
    python train.py --resume checkpoints/epoch-005.safetensors --epochs 20

\`--weights ''\` starts from fresh weights instead of \`weights.safetensors\`.

## Back into the playground

In the playground's **Export and import** section, under **Import**, choose or
drop a checkpoint (\`checkpoints/epoch-NNN.safetensors\`). The file carries
the design and the weights in the playground's own layout, so you can test the
model and draw digits with it in the browser.

## Use the model in Python

    from model import PlaygroundModel, load_playground_safetensors

    model = PlaygroundModel()
    load_playground_safetensors(model, 'checkpoints/epoch-001.safetensors')
    probabilities = model.predict(x)  # x: [batch, ${plan.inputShape.join(', ')}], normalised

## How close this is to the playground

The layers compute what the playground computes: the same 'same' padding (the
odd pixel goes right and bottom), pooling that ignores padded pixels,
BatchNorm with the playground's momentum and epsilon, Flatten in channels-last
order, and the same optimiser update rules, schedule and L1/L2 penalties. What
differs: the order of the batches, dropout masks and the random validation
split are drawn by PyTorch's generators; the optimiser starts with fresh state
(\`weights.safetensors\` holds the weights only) and the schedule starts again
at step 0; with several GPUs, BatchNorm uses each GPU's part of the batch; and
GPU arithmetic rounds differently (TF32 stays off unless you pass \`--tf32\`).
`;
}
