// The PyTorch export. Three kinds of checks:
// 1. The generated files for the seed MLP, the seed CNN and the residual template equal the golden files
//    in tests/golden/pytorch/<template>/. After an intended change, regenerate them with
//      UPDATE_GOLDEN=1 npx vitest run tests/unit/export/pytorch.test.ts
//    and review the diff.
// 2. Where python3 is present: every generated .py file compiles (py_compile), uses no undefined name
//    (checked with Python's symtable) and keeps PEP 8's 79-character lines. torch is not needed.
// 3. The plan model.py is printed from is right: a small NCHW interpreter below runs the plan exactly as
//    the printed PyTorch code does (torch-layout weights, F.pad, Conv2d padding, -inf max-pool padding,
//    in-bounds average pooling, NHWC Flatten, channel concatenation) and must agree with the engine's CPU
//    forward pass on the same weights.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../../app/store/run';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { DesignBuilder, planModel, templateById, type Design } from '../../../src/engine/graph';
import { compileDesign } from '../../../src/engine/model/graph-model';
import { parseSafetensors } from '../../../src/export/safetensors';
import { learningRateAt } from '../../../src/engine/optim/schedule';
import { MNIST_MEAN, MNIST_STD } from '../../../src/data/batches';
import { noGrad, step, tensorFrom } from '../../../src/engine/tensor';
import {
  PytorchExportError,
  pytorchDataFile,
  pytorchProject,
  UnsupportedLayerError,
  WeightNameClashError,
  zipFiles,
} from '../../../src/export/pytorch';
import { pyFloat, pyIdentifier, pyString } from '../../../src/export/pytorch/python';
import {
  LAYOUT_PERMUTATIONS,
  permuteShape,
  torchPlan,
  torchPlanForDesign,
  windowPads,
  type Pads,
  type TorchPlan,
} from '../../../src/export/pytorch/torch-plan';

const GOLDEN_DIR = join(__dirname, '../../golden/pytorch');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const MNIST = { data: { kind: 'mnist' as const } };
/** Every setting the files print, fixed, so the golden files do not move when the app's defaults do. */
const SETTINGS: TrainSettings = {
  ...DEFAULT_SETTINGS,
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  nesterov: false,
  schedule: 'constant',
  decayEpochs: 1,
  decayRate: 0.5,
  batchSize: 100,
  epochs: 1,
  l1: 0,
  l2: 0,
  seed: 1,
  earlyStoppingPatience: 0,
  validationSplit: 0,
  trainLimit: 0,
  testLimit: 0,
  augment: false,
};

function template(id: string): Design {
  return templateById(id)!.build();
}

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PYTHON = hasPython();
const scratch = mkdtempSync(join(tmpdir(), 'pytorch-export-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Checks every .py file in argv[1] with python3: py_compile, no undefined or unused global names (with
 * symtable), PEP 8 line length, blank lines and trailing whitespace. Prints one line per problem.
 */
const PY_CHECK = String.raw`
import builtins, pathlib, py_compile, symtable, sys
problems = []
for path in sorted(pathlib.Path(sys.argv[1]).glob('*.py')):
    source = path.read_text()
    py_compile.compile(str(path), doraise=True)  # raises (and the test fails) on a syntax error
    for number, line in enumerate(source.splitlines(), 1):
        if len(line) > 79:
            problems.append(f'{path.name}:{number}: line of {len(line)} characters: {line.strip()}')
        if line != line.rstrip():
            problems.append(f'{path.name}:{number}: trailing whitespace')
    lines = source.splitlines()
    if '\n\n\n\n' in source:
        problems.append(f'{path.name}: more than two blank lines in a row')
    for number, line in enumerate(lines, 1):
        if not line.startswith(('def ', 'class ', '@')):
            continue
        above = number - 2  # index of the line above
        while above >= 0 and lines[above].startswith(('#', '@')):
            above -= 1  # comments and decorators belong to the definition
        if above + 1 < number - 1 and lines[above + 1].startswith('@'):
            continue  # the decorator was checked
        if above >= 1 and lines[above - 1:above + 1] != ['', '']:
            problems.append(f'{path.name}:{number}: needs two blank lines before: {line}')
    top = symtable.symtable(source, str(path), 'exec')
    defined = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    defined |= {'__file__', '__name__', '__doc__'}
    def walk(table):
        for s in table.get_symbols():
            name = s.get_name()
            if (s.is_global() or table is top) and s.is_referenced() and name not in defined \
                    and not hasattr(builtins, name):
                problems.append(f'{path.name}: undefined name {name!r} in {table.get_name()}')
        for child in table.get_children():
            walk(child)
    walk(top)
    referenced = set()
    def collect(table):
        referenced.update(s.get_name() for s in table.get_symbols() if s.is_referenced())
        for child in table.get_children():
            collect(child)
    collect(top)
    for s in top.get_symbols():
        if s.is_imported() and s.get_name() not in referenced:
            problems.append(f'{path.name}: {s.get_name()!r} is imported but not used')
print('\n'.join(problems))
`;

function checkPython(files: Record<string, string>, name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return execFileSync('python3', ['-c', PY_CHECK, dir], { encoding: 'utf8' }).trim();
}

describe('generated PyTorch projects', () => {
  for (const id of ['mlp', 'cnn', 'resnet']) {
    it(`${id}: the files equal the golden files`, () => {
      const files = pytorchProject(template(id), SETTINGS, MNIST);
      expect(Object.keys(files).sort()).toEqual([
        'README.md',
        'design.json',
        'model.py',
        'requirements.txt',
        'train.py',
      ]);
      const dir = join(GOLDEN_DIR, id);
      for (const [file, text] of Object.entries(files)) {
        const path = join(dir, file);
        if (UPDATE) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(path, text);
        }
        expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
        expect(text, `${id}/${file} differs from its golden file`).toBe(readFileSync(path, 'utf8'));
      }
    });

    it.skipIf(!PYTHON)(`${id}: the Python compiles, defines every name it uses and keeps 79-column lines`, () => {
      expect(checkPython(pytorchProject(template(id), SETTINGS, MNIST), id)).toBe('');
    });
  }

  it.skipIf(!PYTHON)('an own data set, SGD with Nesterov, a step schedule and L1/L2 compile too', () => {
    const settings: TrainSettings = {
      ...SETTINGS,
      optimizer: 'sgd',
      nesterov: true,
      schedule: 'step',
      l1: 1e-5,
      l2: 0.0001,
    };
    const files = pytorchProject(template('xor'), settings, {
      data: { kind: 'dataset', name: "XOR 'quoted'", task: 'classification', inputShape: [2], classes: 2 },
    });
    expect(files['train.py']).toContain("DATA = 'dataset'");
    expect(files['train.py']).toContain("DATA_NAME = 'XOR \\'quoted\\''");
    expect(files['train.py']).toContain("OPTIMIZER = 'sgd'");
    expect(files['train.py']).toContain('NESTEROV = True');
    expect(files['train.py']).toContain('L1 = 0.00001');
    expect(files['model.py']).toContain("LOSS = 'bce-with-logits'");
    expect(files['model.py']).toContain('return torch.sigmoid(logits)');
    expect(files['README.md']).toContain('`train_idx`, `val_idx`, `test_idx`');
    expect(checkPython(files, 'xor-dataset')).toBe('');
  });

  it.skipIf(!PYTHON)('a graph with every layer type compiles and keeps its lines short', () => {
    const data = {
      kind: 'dataset' as const,
      name: 'every',
      task: 'classification' as const,
      inputShape: [9, 7, 2],
      classes: 4,
    };
    expect(checkPython(pytorchProject(everyLayerDesign(), SETTINGS, { data }), 'every-layer')).toBe('');
  });

  it('writes the weights file metadata the browser reads, and the design it imports', () => {
    const design = template('resnet');
    const files = pytorchProject(design, SETTINGS, MNIST);
    expect(files['model.py']).toContain("WEIGHTS_FORMAT = 'webgpu-playground'");
    expect(files['model.py']).toContain("WEIGHTS_LAYOUT = 'nhwc-hwio'");
    expect(JSON.parse(files['design.json'])).toEqual(JSON.parse(JSON.stringify(design)));
  });

  it('zips the files so that unzipping gives them back', () => {
    const weights = new Uint8Array([1, 2, 3, 250]);
    const project = pytorchProject(template('mlp'), SETTINGS, MNIST);
    const files = { ...project, 'weights.safetensors': weights };
    const zip = zipFiles(files);
    const unzipped = unzipSync(zip);
    expect(Object.keys(unzipped).sort()).toEqual(Object.keys(files).sort());
    expect(strFromU8(unzipped['model.py'])).toBe(project['model.py']);
    expect([...unzipped['weights.safetensors']]).toEqual([1, 2, 3, 250]);
    expect(zipFiles(files)).toEqual(zip);
  });
});

describe('data.safetensors for an own data set', () => {
  it('holds x, labels and the splits as train.py reads them, pixels normalised like the playground', () => {
    const bytes = pytorchDataFile({
      name: 'tiny',
      x: new Uint8Array([0, 255, 128, 7, 1, 2]),
      sampleShape: [1, 2, 1],
      pixels: true,
      labels: [1, 0, 2],
      trainIdx: [0, 2],
      testIdx: [1],
    });
    const parsed = parseSafetensors(bytes);
    const byName = new Map(parsed.tensors.map((t) => [t.name, t]));
    expect([...byName.keys()]).toEqual(['x', 'labels', 'train_idx', 'val_idx', 'test_idx']);
    expect(byName.get('x')!.shape).toEqual([3, 1, 2, 1]);
    expect(byName.get('x')!.data[1]).toBe(Math.fround((255 / 255 - MNIST_MEAN) / MNIST_STD));
    expect([...byName.get('labels')!.data]).toEqual([1, 0, 2]);
    expect([...byName.get('train_idx')!.data]).toEqual([0, 2]);
    expect(byName.get('val_idx')!.shape).toEqual([0]);
    expect(parsed.metadata).toMatchObject({ content: 'dataset', name: 'tiny' });
  });

  it('holds regression targets with their shape', () => {
    const bytes = pytorchDataFile({
      name: 'sine',
      x: new Float32Array([0.5, -1]),
      sampleShape: [1],
      targets: new Float32Array([1, 2, 3, 4]),
      targetShape: [2],
      trainIdx: [0, 1],
    });
    const targets = parseSafetensors(bytes).tensors.find((t) => t.name === 'targets')!;
    expect(targets.shape).toEqual([2, 2]);
    expect([...targets.data]).toEqual([1, 2, 3, 4]);
  });

  it('refuses rows, labels and splits that do not fit, naming the data set and the problem', () => {
    const base = { name: 'blobs', x: new Float32Array(4), sampleShape: [2], labels: [0, 1], trainIdx: [0, 1] };
    expect(() => pytorchDataFile({ ...base, x: new Float32Array(5) })).toThrow(
      /"blobs" cannot be exported: its 5 values do not make whole samples of 2/,
    );
    expect(() => pytorchDataFile({ ...base, labels: [0] })).toThrow(/2 samples but 1 labels/);
    expect(() => pytorchDataFile({ ...base, labels: [0, 1.5] })).toThrow(/a label is not a whole number/);
    expect(() => pytorchDataFile({ ...base, testIdx: [2] })).toThrow(
      /test_idx holds 2, which is not a row of its 2 samples/,
    );
    expect(() => pytorchDataFile({ ...base, trainIdx: [] })).toThrow(/train_idx is empty/);
    expect(() => pytorchDataFile({ ...base, targets: new Float32Array(2) })).toThrow(/either labels .* or targets/);
  });
});

describe('errors a person can cause', () => {
  it('names a layer the exporter cannot translate, and its type', () => {
    const plan = planModel(template('mlp'));
    const hidden = plan.layers[1].node as unknown as { type: string; name: string };
    hidden.type = 'LSTM';
    hidden.name = 'Memory 1';
    expect(() => torchPlan(plan)).toThrow(UnsupportedLayerError);
    expect(() => torchPlan(plan)).toThrow(/Layer "Memory 1" \(LSTM\) cannot be exported to PyTorch/);
  });

  it('refuses an unknown layer type in a design with a message naming the layer', () => {
    const design = template('mlp');
    (design.nodes[1] as unknown as { type: string }).type = 'LSTM';
    expect(() => pytorchProject(design, SETTINGS, MNIST)).toThrow(/Layer "Dense 1" \(LSTM\) cannot be exported/);
  });

  it('refuses two layers whose names become the same weight name, naming both', () => {
    const design = template('mlp');
    design.nodes[1].name = 'Hidden';
    design.nodes[2].name = 'hidden!';
    expect(() => pytorchProject(design, SETTINGS, MNIST)).toThrow(WeightNameClashError);
    expect(() => pytorchProject(design, SETTINGS, MNIST)).toThrow(/"Hidden" and "hidden!" both become "hidden"/);
  });

  it('refuses data that does not fit the design, saying what to change', () => {
    expect(() => pytorchProject(template('xor'), SETTINGS, MNIST)).toThrow(
      /Input takes 2 values per sample, but MNIST has 28×28×1/,
    );
    const tenClasses = {
      kind: 'dataset' as const,
      name: 'blobs',
      task: 'classification' as const,
      inputShape: [784],
      classes: 3,
    };
    expect(() => pytorchProject(template('mlp'), SETTINGS, { data: tenClasses })).toThrow(
      /ends in 10 classes, but the data set "blobs" has 3/,
    );
    const regression = {
      kind: 'dataset' as const,
      name: 'sine',
      task: 'regression' as const,
      inputShape: [784],
      classes: 0,
    };
    expect(() => pytorchProject(template('mlp'), SETTINGS, { data: regression })).toThrow(PytorchExportError);
  });

  it('refuses settings that train.py could not run with', () => {
    expect(() => pytorchProject(template('mlp'), { ...SETTINGS, batchSize: 0, learningRate: -1 }, MNIST)).toThrow(
      /learning rate must be greater than 0; the batch size must be a whole number of at least 1/,
    );
  });
});

describe('Python text', () => {
  it('writes string literals Python reads back exactly, ASCII only', () => {
    expect(pyString(`it's "\\ \n ü 𝄞`)).toBe(`'it\\'s \\"\\\\ \\n \\u00fc \\U0001d11e'`);
    expect(pyFloat(1)).toBe('1.0');
    expect(pyFloat(1e-7)).toBe('1e-7');
    expect(pyFloat(0.001)).toBe('0.001');
  });

  it('keeps layer identifiers clear of keywords, digits and nn.Module attributes', () => {
    expect(pyIdentifier('dense_1')).toBe('dense_1');
    expect(pyIdentifier('1st')).toBe('layer_1st');
    expect(pyIdentifier('lambda')).toBe('layer_lambda');
    expect(pyIdentifier('training')).toBe('layer_training');
    expect(pyIdentifier('x')).toBe('layer_x');
  });
});

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs train.py's torch-free helpers (taken out of the file with ast, together with its constants) on
 * inputs from argv[2] and prints their results as JSON.
 */
const HELPERS_RUN = String.raw`
import ast, gzip, json, math, sys, types
from pathlib import Path
import numpy as np
tree = ast.parse(Path(sys.argv[1]).read_text())
wanted = {'read_idx', 'take', 'normalise_pixels', 'split_validation', 'learning_rate_at'}
body = [n for n in tree.body
        if (isinstance(n, ast.FunctionDef) and n.name in wanted)
        or (isinstance(n, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in n.targets)
            and isinstance(n.value, (ast.Constant, ast.Tuple)))]
ns = {'np': np, 'gzip': gzip, 'math': math, 'Path': Path}
exec(compile(ast.Module(body=body, type_ignores=[]), 'train.py', 'exec'), ns)
work = Path(sys.argv[2])
out = {}
for kind in ('constant', 'step', 'cosine'):
    args = types.SimpleNamespace(lr=0.1, schedule=kind, decay_epochs=2, decay_rate=0.5, epochs=3)
    out[kind] = [ns['learning_rate_at'](t, args, 7) for t in range(30)]
out['pixels'] = ns['normalise_pixels'](np.arange(256, dtype=np.uint8)).tolist()
values = np.arange(12, dtype=np.uint8)
header = bytes([0, 0, 8, 3]) + b''.join(d.to_bytes(4, 'big') for d in (3, 2, 2))
(work / 'ok-idx3-ubyte.gz').write_bytes(gzip.compress(header + values.tobytes()))
(work / 'short-idx3-ubyte').write_bytes(header + values.tobytes()[:-1])
out['idx'] = ns['read_idx'](work / 'ok-idx3-ubyte.gz').tolist()
try:
    ns['read_idx'](work / 'short-idx3-ubyte')
    out['truncated'] = None
except ValueError as error:
    out['truncated'] = str(error)
train, val = ns['split_validation'](np.arange(10, 20), 0.3, 1)
out['split'] = [train.tolist(), val.tolist()]
out['take'] = [ns['take'](0, 5), ns['take'](3, 5), ns['take'](9, 5)]
print(json.dumps(out))
`;

describe.skipIf(!PYTHON || !hasNumpy())("train.py's torch-free helpers agree with the engine", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON the script prints
  let out: any;
  beforeAll(() => {
    const dir = join(scratch, 'helpers');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'train.py'), pytorchProject(template('cnn'), SETTINGS, MNIST)['train.py']);
    out = JSON.parse(execFileSync('python3', ['-c', HELPERS_RUN, join(dir, 'train.py'), dir], { encoding: 'utf8' }));
  });

  it('follows the learning-rate schedules step by step', () => {
    const steps = Array.from({ length: 30 }, (_, t) => t);
    const expected = {
      constant: steps.map((t) => learningRateAt({ kind: 'constant' }, 0.1, t)),
      // The app's schedules in steps: decay every 2 epochs of 7 steps; cosine over 3 epochs.
      step: steps.map((t) => learningRateAt({ kind: 'step', stepSize: 2 * 7, gamma: 0.5 }, 0.1, t)),
      cosine: steps.map((t) => learningRateAt({ kind: 'cosine', totalSteps: 3 * 7 }, 0.1, t)),
    };
    for (const kind of ['constant', 'step', 'cosine'] as const) {
      out[kind].forEach((lr: number, t: number) => expect(lr).toBeCloseTo(expected[kind][t], 12));
    }
  });

  it('normalises pixels to the same float32 values as the playground', () => {
    const expected = Array.from({ length: 256 }, (_, b) => Math.fround((b / 255 - MNIST_MEAN) / MNIST_STD));
    expect(out.pixels).toEqual(expected);
  });

  it('reads idx files (gzipped) and refuses a truncated one', () => {
    expect(out.idx).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
      [
        [8, 9],
        [10, 11],
      ],
    ]);
    expect(out.truncated).toMatch(
      /short-idx3-ubyte holds 11 bytes of data but its header says \[3, 2, 2\]: the file is truncated/,
    );
  });

  it('holds out a sorted, disjoint validation split and applies limits', () => {
    const [train, val] = out.split as number[][];
    expect(val).toHaveLength(3);
    expect(train).toHaveLength(7);
    expect([...train, ...val].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(train).toEqual([...train].sort((a, b) => a - b));
    expect(out.take).toEqual([5, 3, 5]);
  });
});

describe('layouts and padding', () => {
  it('converts kernels to PyTorch and back: Linear.weight = kernel.T, Conv2d.weight = kernel.permute(3, 2, 0, 1)', () => {
    for (const layout of ['linear', 'conv', 'vector'] as const) {
      const { toTorch, toPlayground } = LAYOUT_PERMUTATIONS[layout];
      // Applying one permutation after the other gives every axis back.
      expect(permuteShape(toTorch, toPlayground)).toEqual(toTorch.map((_, i) => i));
    }
    const plan = torchPlanForDesign(template('cnn'));
    const conv = plan.tensors.find((t) => t.file === 'conv2d_1/kernel')!;
    expect(conv).toMatchObject({
      torch: 'conv2d_1.weight',
      shape: [3, 3, 1, 32],
      torchShape: [32, 1, 3, 3],
      decay: true,
    });
    const dense = plan.tensors.find((t) => t.file === 'dense_1/kernel')!;
    expect(dense).toMatchObject({ torch: 'dense_1.weight', shape: [5408, 128], torchShape: [128, 5408] });
    // An element lands where PyTorch reads it: W[o, i, y, x] = K[y, x, i, o].
    const k = [2, 3, 4, 5];
    const kernel = Float64Array.from({ length: 120 }, (_, i) => i);
    const w = permuteData(kernel, k, LAYOUT_PERMUTATIONS.conv.toTorch);
    const [o, i, y, x] = [4, 3, 1, 2];
    expect(w[((o * 4 + i) * 2 + y) * 3 + x]).toBe(kernel[((y * 3 + x) * 4 + i) * 5 + o]);
  });

  it("pads like TensorFlow's 'same': the odd pixel goes to the bottom and right", () => {
    expect(windowPads(28, 28, 3, 2, 'same')).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    expect(windowPads(14, 14, 3, 1, 'same')).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(windowPads(7, 7, 2, 2, 'same')).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    expect(windowPads(28, 28, 3, 2, 'valid')).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
    const model = pytorchProject(template('resnet'), SETTINGS, MNIST)['model.py'];
    expect(model).toContain('conv2d_1 = F.pad(input_1, (0, 1, 0, 1))');
    expect(model).toContain('self.conv2d_2 = nn.Conv2d(16, 16, 3, padding=(1, 1))');
  });
});

describe('the plan model.py follows computes what the engine computes', () => {
  const designs: [string, () => Design][] = [
    ['mlp', () => template('mlp')],
    ['cnn', () => template('cnn')],
    ['lenet5', () => template('lenet5')],
    ['resnet', () => template('resnet')],
    ['xor', () => template('xor')],
    ['every layer type, odd sizes, concatenation', everyLayerDesign],
  ];
  for (const [name, build] of designs) {
    it(name, async () => {
      const design = build();
      const backend = cpuBackend();
      const model = compileDesign(design, backend, { seed: 5 });
      // Give BatchNorm running statistics that are not the identity, so their layout matters.
      for (const s of model.state()) {
        const values = Float32Array.from({ length: s.value.size }, (_, i) =>
          s.name.endsWith('variance') ? 0.5 + 0.25 * i : 0.1 * i - 0.2,
        );
        model.backend.write(s.value.storage, values);
      }
      const weights = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const p of model.parameters())
        weights.set(p.name, { shape: [...p.value.shape], data: await p.value.data() });
      for (const s of model.state()) weights.set(s.name, { shape: [...s.value.shape], data: await s.value.data() });

      const plan = torchPlanForDesign(design);
      expect(plan.tensors.map((t) => t.file).sort()).toEqual([...weights.keys()].sort());
      const batch = 3;
      const perSample = plan.inputShape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: batch * perSample }, (_, i) => Math.sin(i * 0.37) * 1.5);
      const expected = await noGrad(() =>
        step(() =>
          model.forward(tensorFrom(backend, x, [batch, ...plan.inputShape]), { training: false, step: 0 }).keep(),
        ),
      ).data();
      const actual = runPlan(plan, weights, x, batch);
      expect(actual.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      expect(worst).toBeLessThan(1e-4);
      model.dispose();
    });
  }
});

/** A design with every layer type, odd image sizes (asymmetric 'same' padding) and a concatenation. */
function everyLayerDesign(): Design {
  // Names a person could type: quotes, a backslash, a line break, non-ASCII, a reserved word.
  const b = new DesignBuilder('Every layer """ \\ \n ü');
  b.add('Input', { shape: [9, 7, 2] });
  const stem = b.add('Conv2D', { filters: 4, kernelSize: 3, stride: 2, padding: 'same', activation: 'tanh' });
  const left = b.add('Conv2D', { filters: 3, kernelSize: 2, padding: 'same', activation: 'sigmoid', useBias: false });
  const right = b.add('BatchNorm', { momentum: 0.9, epsilon: 0.01 }, { inputs: [stem] });
  b.add('Concatenate', {}, { inputs: [left, right] });
  b.add('LeakyReLU', { alpha: 0.2 });
  const pooled = b.add('MaxPool2D', { poolSize: 2, stride: 2, padding: 'same' });
  const avg = b.add('AvgPool2D', { poolSize: 3, stride: 1, padding: 'same' }, { inputs: [pooled] });
  const sum = b.add('Add', {}, { inputs: [pooled, avg] });
  b.add('ReLU', {}, { inputs: [sum] });
  b.add('AvgPool2D', { poolSize: 2, stride: 1, padding: 'valid' });
  b.add('Flatten');
  b.add('Dropout', { rate: 0.25 });
  b.add('Dense', { units: 6, activation: 'relu' });
  b.add('BatchNorm');
  b.add('Tanh');
  b.add('Sigmoid');
  b.add('Dense', { units: 4, activation: 'linear' });
  b.add('Softmax');
  const design = b.build();
  design.nodes[1].name = `Conv """ \\ '1'\n`;
  design.nodes[2].name = 'training';
  return design;
}

// ---- A tiny interpreter of the plan, doing what the printed PyTorch code does ----

/** A tensor as PyTorch holds it in model.py: images NCHW, feature rows [N, F]. */
interface T {
  shape: number[];
  data: Float64Array;
}

function permuteData(data: ArrayLike<number>, shape: number[], perm: number[]): Float64Array {
  const outShape = permuteShape(shape, perm);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float64Array(data.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let source = 0;
    for (let d = 0; d < perm.length; d++) source += index[d] * strides[perm[d]];
    out[o] = data[source];
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

function permute(t: T, perm: number[]): T {
  return { shape: permuteShape(t.shape, perm), data: permuteData(t.data, t.shape, perm) };
}

/** F.pad(x, (left, right, top, bottom), value) of an NCHW tensor. */
function pad(x: T, p: Pads, value: number): T {
  const [n, c, h, w] = x.shape;
  const H = h + p.top + p.bottom;
  const W = w + p.left + p.right;
  const out = new Float64Array(n * c * H * W).fill(value);
  for (let i = 0; i < n * c; i++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) out[(i * H + y + p.top) * W + xx + p.left] = x.data[(i * h + y) * w + xx];
    }
  }
  return { shape: [n, c, H, W], data: out };
}

/** nn.Conv2d without padding: weight [out, in, k, k] (PyTorch layout). */
function conv(x: T, weight: Float64Array, bias: Float64Array | null, outC: number, k: number, s: number): T {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  const out = new Float64Array(n * outC * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outC; o++) {
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < ow; xx++) {
          let sum = bias ? bias[o] : 0;
          for (let i = 0; i < c; i++) {
            for (let ky = 0; ky < k; ky++) {
              for (let kx = 0; kx < k; kx++) {
                sum +=
                  x.data[((b * c + i) * h + y * s + ky) * w + xx * s + kx] * weight[((o * c + i) * k + ky) * k + kx];
              }
            }
          }
          out[((b * outC + o) * oh + y) * ow + xx] = sum;
        }
      }
    }
  }
  return { shape: [n, outC, oh, ow], data: out };
}

/** F.max_pool2d / F.avg_pool2d (sum / k^2) without padding. */
function pool(x: T, k: number, s: number, kind: 'max' | 'avg'): T {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  const out = new Float64Array(n * c * oh * ow);
  for (let i = 0; i < n * c; i++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let acc = kind === 'max' ? -Infinity : 0;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const v = x.data[(i * h + y * s + ky) * w + xx * s + kx];
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
          }
        }
        out[(i * oh + y) * ow + xx] = kind === 'max' ? acc : acc / (k * k);
      }
    }
  }
  return { shape: [n, c, oh, ow], data: out };
}

const map = (x: T, f: (v: number) => number): T => ({ shape: x.shape, data: x.data.map(f) });

/** Applies `f` to each (sample, channel) group: axis 1 of [N, C] or [N, C, H, W]. */
function perChannel(x: T, f: (v: number, channel: number) => number): T {
  const c = x.shape[1];
  const inner = x.shape.slice(2).reduce((a, b) => a * b, 1);
  return { shape: x.shape, data: x.data.map((v, i) => f(v, Math.floor(i / inner) % c)) };
}

function softmaxDim1(x: T): T {
  const [n, c] = x.shape;
  const inner = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float64Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let j = 0; j < inner; j++) {
      const at = (ch: number) => (b * c + ch) * inner + j;
      let max = -Infinity;
      for (let ch = 0; ch < c; ch++) max = Math.max(max, x.data[at(ch)]);
      let sum = 0;
      for (let ch = 0; ch < c; ch++) sum += Math.exp(x.data[at(ch)] - max);
      for (let ch = 0; ch < c; ch++) out[at(ch)] = Math.exp(x.data[at(ch)] - max) / sum;
    }
  }
  return { shape: x.shape, data: out };
}

function activation(x: T, a: string): T {
  switch (a) {
    case 'relu':
      return map(x, (v) => Math.max(v, 0));
    case 'sigmoid':
      return map(x, (v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return map(x, Math.tanh);
    case 'softmax':
      return softmaxDim1(x);
    default:
      return x;
  }
}

function concatDim1(inputs: T[]): T {
  const [n] = inputs[0].shape;
  const inner = inputs[0].shape.slice(2);
  const size = inner.reduce((a, b) => a * b, 1);
  const total = inputs.reduce((s, t) => s + t.shape[1], 0);
  const out = new Float64Array(n * total * size);
  for (let b = 0; b < n; b++) {
    let offset = 0;
    for (const t of inputs) {
      const c = t.shape[1];
      out.set(t.data.subarray(b * c * size, (b + 1) * c * size), (b * total + offset) * size);
      offset += c;
    }
  }
  return { shape: [n, total, ...inner], data: out };
}

/** Runs the plan the way model.py's forward() does, in evaluation mode. */
function runPlan(
  plan: TorchPlan,
  ours: Map<string, { shape: number[]; data: Float32Array }>,
  input: Float32Array,
  batch: number,
): Float64Array {
  // load_playground_safetensors: every tensor in PyTorch's layout under its state_dict key.
  const state = new Map<string, Float64Array>();
  for (const t of plan.tensors) {
    const w = ours.get(t.file)!;
    expect(w.shape).toEqual(t.shape);
    state.set(t.torch, permuteData(w.data, t.shape, LAYOUT_PERMUTATIONS[t.layout].toTorch));
  }
  const values = new Map<string, T>();
  for (const node of plan.nodes) {
    const inputs = node.inputs.map((id) => values.get(id)!);
    const x = inputs[0];
    const param = (name: string) => state.get(`${node.ident}.${name}`) ?? null;
    const op = node.op;
    let y: T;
    switch (op.op) {
      case 'input': {
        const nhwc = { shape: [batch, ...plan.inputShape], data: Float64Array.from(input) };
        y = op.image ? permute(nhwc, [0, 3, 1, 2]) : nhwc;
        break;
      }
      case 'linear': {
        const w = param('weight')!;
        const b = param('bias');
        const out = new Float64Array(batch * op.outFeatures);
        for (let r = 0; r < batch; r++) {
          for (let o = 0; o < op.outFeatures; o++) {
            let sum = b ? b[o] : 0;
            for (let i = 0; i < op.inFeatures; i++) sum += x.data[r * op.inFeatures + i] * w[o * op.inFeatures + i];
            out[r * op.outFeatures + o] = sum;
          }
        }
        y = activation({ shape: [batch, op.outFeatures], data: out }, op.activation);
        break;
      }
      case 'conv': {
        const p = op.pads;
        const symmetric = p.top === p.bottom && p.left === p.right;
        // Conv2d(padding=(top, left)) pads both sides alike; otherwise model.py calls F.pad first.
        const padded = symmetric ? pad(x, { top: p.top, bottom: p.top, left: p.left, right: p.left }, 0) : pad(x, p, 0);
        y = activation(
          conv(padded, param('weight')!, param('bias'), op.outChannels, op.kernelSize, op.stride),
          op.activation,
        );
        break;
      }
      case 'maxPool':
        y = pool(pad(x, op.pads, -Infinity), op.poolSize, op.stride, 'max');
        break;
      case 'avgPool': {
        const total = pool(pad(x, op.pads, 0), op.poolSize, op.stride, 'avg');
        const ones = { shape: [1, 1, x.shape[2], x.shape[3]], data: new Float64Array(x.shape[2] * x.shape[3]).fill(1) };
        const count = pool(pad(ones, op.pads, 0), op.poolSize, op.stride, 'avg');
        const plane = count.data.length;
        y = { shape: total.shape, data: total.data.map((v, i) => v / count.data[i % plane]) };
        break;
      }
      case 'globalAvgPool': {
        const [n, c, h, w] = x.shape;
        const out = new Float64Array(n * c);
        for (let i = 0; i < n * c; i++) for (let j = 0; j < h * w; j++) out[i] += x.data[i * h * w + j] / (h * w);
        y = { shape: [n, c], data: out };
        break;
      }
      case 'flatten': {
        const rows = op.image ? permute(x, [0, 2, 3, 1]) : x;
        y = { shape: [batch, rows.data.length / batch], data: rows.data };
        break;
      }
      case 'dropout':
        y = x;
        break;
      case 'batchNorm': {
        const [g, b, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => param(n)!);
        y = perChannel(x, (v, c) => ((v - mean[c]) / Math.sqrt(variance[c] + op.epsilon)) * g[c] + b[c]);
        break;
      }
      case 'activation':
        y = activation(x, op.activation);
        break;
      case 'leakyRelu':
        y = map(x, (v) => (v > 0 ? v : op.alpha * v));
        break;
      case 'add':
        y = { shape: x.shape, data: x.data.map((_, i) => inputs.reduce((s, t) => s + t.data[i], 0)) };
        break;
      case 'concat':
        y = concatDim1(inputs);
        break;
    }
    values.set(node.ident, y);
  }
  const out = values.get(plan.outputIdent)!;
  return out.shape.length === 4 ? permute(out, [0, 2, 3, 1]).data : out.data;
}
