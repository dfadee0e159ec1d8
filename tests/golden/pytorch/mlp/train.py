"""Continues training the playground's model with PyTorch.

One GPU (or the CPU):          python train.py
Several GPUs on one machine:   torchrun --nproc_per_node=4 train.py
Several machines:              see README.md

The optimiser, learning-rate schedule, batch size, L1/L2 penalties and loss are
the ones the run used in the playground (constants below); command-line flags
override them (python train.py --help). Each epoch, rank 0 logs the loss and
accuracy and writes checkpoints/epoch-NNN.safetensors in the playground's
layout, which the playground imports (Export and import section).
"""

import argparse
import gzip
import math
import os
import random
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors.torch import load_file
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import BatchSampler, DistributedSampler

from model import (INPUT_SHAPE, LOSS, OUTPUT_SHAPE, PlaygroundModel,
                   load_playground_safetensors, save_playground_safetensors)

# ---- The run's settings in the playground (flags override them) ----
DESIGN_NAME = 'MLP 784-500-10'
OPTIMIZER = 'adam'  # 'sgd', 'adam' or 'rmsprop'
LEARNING_RATE = 0.001
MOMENTUM = 0.9  # SGD only
NESTEROV = False  # SGD only
SCHEDULE = 'constant'  # 'constant', 'step' or 'cosine'
DECAY_EPOCHS = 1  # step schedule: every this many epochs,
DECAY_RATE = 0.5  # multiply the learning rate by this
BATCH_SIZE = 100  # in all, over every process
EPOCHS = 1
L1 = 0.0  # added to kernels' gradients: L1 * sign(w)
L2 = 0.0  # added to kernels' gradients: L2 * w
SEED = 1
EARLY_STOPPING_PATIENCE = 0  # epochs; 0 = off
VALIDATION_SPLIT = 0.0  # of the training set
TRAIN_LIMIT = 0  # first N training samples; 0 = all
TEST_LIMIT = 0  # first N test samples; 0 = all
AUGMENT = False  # random shifts of up to 2 pixels (images)
FLIP = False  # random left-right flips, probability 1/2 (images)
DATA = 'mnist'  # MNIST idx files in --data-dir
DATA_NAME = 'MNIST'
CLASSES = 10
INPUT_IS_IMAGE = False
# The engine's fixed optimiser constants.
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8
RMSPROP_RHO = 0.9
RMSPROP_EPSILON = 1e-7
# Pixels are normalised like the playground's: (byte / 255 - mean) / std.
PIXEL_MEAN = 0.1307
PIXEL_STD = 0.3081
MAX_SHIFT = 2


def parse_args():
    parser = argparse.ArgumentParser(
        description=f'Continue training {DESIGN_NAME!r} with PyTorch.')
    add = parser.add_argument
    add('--epochs', type=int, default=EPOCHS)
    add('--batch-size', type=int, default=BATCH_SIZE,
        help='global batch size, split evenly over the processes')
    add('--lr', type=float, default=LEARNING_RATE)
    add('--optimizer', choices=('sgd', 'adam', 'rmsprop'), default=OPTIMIZER)
    add('--momentum', type=float, default=MOMENTUM)
    add('--nesterov', action=argparse.BooleanOptionalAction,
        default=NESTEROV)
    add('--schedule', choices=('constant', 'step', 'cosine'),
        default=SCHEDULE)
    add('--decay-epochs', type=int, default=DECAY_EPOCHS)
    add('--decay-rate', type=float, default=DECAY_RATE)
    add('--l1', type=float, default=L1)
    add('--l2', type=float, default=L2)
    add('--seed', type=int, default=SEED)
    add('--patience', type=int, default=EARLY_STOPPING_PATIENCE,
        help='stop after this many epochs without a better validation '
             'loss (0 = never)')
    add('--val-split', type=float, default=VALIDATION_SPLIT)
    add('--train-limit', type=int, default=TRAIN_LIMIT)
    add('--test-limit', type=int, default=TEST_LIMIT)
    add('--augment', action=argparse.BooleanOptionalAction, default=AUGMENT)
    add('--flip', action=argparse.BooleanOptionalAction, default=FLIP)
    add('--data-dir', default='data/mnist',
        help='folder with the MNIST idx files (.gz or not)')
    add('--data', default='data.safetensors',
        help='the data set exported by the playground')
    add('--weights', default='weights.safetensors',
        help="the playground's weights to start from ('' = fresh start)")
    add('--checkpoint-dir', default='checkpoints')
    add('--resume', nargs='?', const='latest', default=None,
        help='continue from a checkpoint (default: the latest one)')
    add('--tf32', action='store_true',
        help='allow TF32 math on Ampere and newer GPUs (faster, less '
             'exact than the playground)')
    args = parser.parse_args()
    if args.batch_size < 1 or args.epochs < 0:
        parser.error('--batch-size must be at least 1 and --epochs at least 0')
    if not 0 <= args.val_split < 1:
        parser.error('--val-split must be at least 0 and less than 1')
    return args


# ---- Processes and devices ----
def setup_distributed():
    """(rank, world size, device); joins the process group under torchrun."""
    world_size = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    if torch.cuda.is_available():
        device = torch.device('cuda', local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device('cpu')
    if world_size > 1:
        dist.init_process_group(
            backend='nccl' if device.type == 'cuda' else 'gloo')
    return rank, world_size, device


def seed_everything(seed, rank, tf32):
    """Repeatable runs: the same seed, the same result on the same setup."""
    random.seed(seed + rank)
    np.random.seed(seed + rank)
    torch.manual_seed(seed + rank)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.use_deterministic_algorithms(True, warn_only=True)


def log(rank, message):
    if rank == 0:
        print(message, flush=True)


# ---- Data ----
def normalise_pixels(pixels):
    """uint8 pixels -> float32, exactly as the playground normalises them."""
    values = (pixels.astype(np.float64) / 255 - PIXEL_MEAN) / PIXEL_STD
    return values.astype(np.float32)


def read_idx(path):
    """An idx file (the MNIST format) as a numpy uint8 array."""
    opener = gzip.open if path.suffix == '.gz' else open
    with opener(path, 'rb') as file:
        raw = file.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f'{path} is not an idx file of unsigned bytes.')
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big')
            for i in range(rank)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != math.prod(dims):
        raise ValueError(f'{path} holds {data.size} bytes of data but its '
                         f'header says {dims}: the file is truncated.')
    return data.reshape(dims)


def find_idx(data_dir, stem):
    for name in (stem, stem + '.gz', stem.replace('-idx', '.idx'),
                 stem.replace('-idx', '.idx') + '.gz'):
        if (data_dir / name).is_file():
            return data_dir / name
    raise FileNotFoundError(
        f'{data_dir / stem}(.gz) not found. Put the four MNIST idx files '
        f'(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, '
        f't10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in '
        f'{data_dir} or pass --data-dir.')


def take(limit, count):
    return count if limit <= 0 else min(limit, count)


def as_samples(x):
    """Rows of the data set in the model's input shape."""
    if math.prod(x.shape[1:]) != math.prod(INPUT_SHAPE):
        raise ValueError(
            f'The data has samples of shape {list(x.shape[1:])}, but the '
            f'model takes {list(INPUT_SHAPE)}.')
    return x.reshape((x.shape[0],) + INPUT_SHAPE)


def split_validation(train_idx, fraction, seed):
    """Holds out a seeded random fraction of the training rows."""
    count = round(len(train_idx) * fraction)
    order = np.random.default_rng(seed).permutation(len(train_idx))
    return (np.sort(train_idx[order[count:]]),
            np.sort(train_idx[order[:count]]))


def load_mnist(args):
    data_dir = Path(args.data_dir)
    train_x = read_idx(find_idx(data_dir, 'train-images-idx3-ubyte'))
    train_y = read_idx(find_idx(data_dir, 'train-labels-idx1-ubyte'))
    test_x = read_idx(find_idx(data_dir, 't10k-images-idx3-ubyte'))
    test_y = read_idx(find_idx(data_dir, 't10k-labels-idx1-ubyte'))
    x = np.concatenate([train_x, test_x]).reshape(-1, 28, 28, 1)
    labels = np.concatenate([train_y, test_y]).astype(np.int64)
    n_train = take(args.train_limit, len(train_x))
    n_test = take(args.test_limit, len(test_x))
    train_idx = np.arange(n_train)
    test_idx = len(train_x) + np.arange(n_test)
    train_idx, val_idx = split_validation(train_idx, args.val_split, args.seed)
    return {
        'x': torch.from_numpy(as_samples(normalise_pixels(x))),
        'y': torch.from_numpy(labels),
        'train': train_idx, 'val': val_idx, 'test': test_idx,
    }


def load_dataset(args):
    """data.safetensors: x [N, ...], labels [N] or targets [N, ...], and the
    row numbers train_idx, val_idx, test_idx (integers or float32 whole
    numbers, as the playground writes them)."""
    path = Path(args.data)
    if not path.is_file():
        raise FileNotFoundError(
            f'{path} not found: export the data set with the model in the '
            'playground (Export and import section), or pass --data.')
    tensors = load_file(str(path))
    for name in ('x', 'train_idx'):
        if name not in tensors:
            raise KeyError(f'{path} has no tensor {name!r}.')
    x = tensors['x']
    if x.dtype == torch.uint8:
        x = torch.from_numpy(normalise_pixels(x.numpy()))
    x = torch.from_numpy(as_samples(x.to(torch.float32).numpy()))
    if LOSS == 'mse':
        if 'targets' not in tensors:
            raise KeyError(f'{path} has no tensor "targets" (regression).')
        y = tensors['targets'].to(torch.float32).reshape(
            (x.shape[0],) + OUTPUT_SHAPE)
    else:
        if 'labels' not in tensors:
            raise KeyError(f'{path} has no tensor "labels" (classes).')
        y = tensors['labels'].to(torch.int64).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f'{path}: x has {len(x)} rows but the labels or '
                         f'targets have {len(y)}.')
    if LOSS != 'mse' and len(y) and (y.min() < 0 or y.max() >= CLASSES):
        raise ValueError(f'{path}: labels must be 0 to {CLASSES - 1} for '
                         f'this design, but go from {int(y.min())} to '
                         f'{int(y.max())}.')

    def indices(name):
        if name not in tensors:
            return np.zeros(0, dtype=np.int64)
        idx = tensors[name].to(torch.int64).numpy().reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= len(x)):
            raise ValueError(f'{path}: {name} points outside the {len(x)} '
                             'rows of x.')
        return idx

    train_idx = indices('train_idx')
    train_idx = train_idx[:take(args.train_limit, len(train_idx))]
    val_idx = indices('val_idx')
    if len(val_idx) == 0 and args.val_split > 0:
        train_idx, val_idx = split_validation(train_idx, args.val_split,
                                              args.seed)
    test_idx = indices('test_idx')
    test_idx = test_idx[:take(args.test_limit, len(test_idx))]
    return {'x': x, 'y': y, 'train': train_idx, 'val': val_idx,
            'test': test_idx}


def shift_images(x, generator):
    """Shifts each image by up to MAX_SHIFT pixels; new pixels are
    background (byte 0), as in the playground's augmentation."""
    n, height, width, _ = x.shape
    background = (0 - PIXEL_MEAN) / PIXEL_STD
    m = MAX_SHIFT
    padded = F.pad(x, (0, 0, m, m, m, m), value=background)
    dy = torch.randint(-m, m + 1, (n, 1), generator=generator)
    dx = torch.randint(-m, m + 1, (n, 1), generator=generator)
    rows = torch.arange(height).view(1, -1) + m - dy
    cols = torch.arange(width).view(1, -1) + m - dx
    batch = torch.arange(n).view(-1, 1, 1)
    return padded[batch, rows[:, :, None], cols[:, None, :]]


def flip_images(x, generator):
    """Mirrors each image left to right with probability 1/2."""
    flips = torch.rand(x.shape[0], generator=generator) < 0.5
    x = x.clone()
    x[flips] = x[flips].flip(2)
    return x


def targets_for_loss(y):
    if LOSS == 'bce-with-logits':
        return y.to(torch.float32).view(-1, 1)
    return y


# ---- Optimiser, schedule, loss ----
def make_optimizer(model, args):
    """The playground's update rules; torch.optim matches each exactly.

    L1 and L2 are not torch's weight_decay here: the playground adds
    L2 * w + L1 * sign(w) to the gradient of kernels (not of biases or
    BatchNorm), before the optimiser's rule; add_penalties() does that.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    if args.optimizer == 'sgd':
        return torch.optim.SGD(
            params, lr=args.lr, momentum=args.momentum,
            nesterov=args.nesterov and args.momentum > 0)
    if args.optimizer == 'adam':
        return torch.optim.Adam(params, lr=args.lr, betas=ADAM_BETAS,
                                eps=ADAM_EPSILON)
    return torch.optim.RMSprop(params, lr=args.lr, alpha=RMSPROP_RHO,
                               eps=RMSPROP_EPSILON)


def decayed_parameters(model):
    """Kernels of Dense and Conv2D layers: the ones L1/L2 apply to."""
    return [m.weight for m in model.modules()
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]


def add_penalties(kernels, l1, l2):
    with torch.no_grad():
        for w in kernels:
            if w.grad is None:
                continue
            if l2:
                w.grad.add_(w, alpha=l2)
            if l1:
                w.grad.add_(torch.sign(w), alpha=l1)


def learning_rate_at(step, args, steps_per_epoch):
    """The playground's schedules, for 0-based optimiser step `step`."""
    if args.schedule == 'step':
        size = max(1, args.decay_epochs * steps_per_epoch)
        return args.lr * args.decay_rate ** (step // size)
    if args.schedule == 'cosine':
        total = args.epochs * steps_per_epoch
        t = min(step, total) / max(1, total)
        return args.lr * (1 + math.cos(math.pi * t)) / 2
    return args.lr


def loss_and_correct(logits, y):
    """Mean loss of the batch and the number of right answers."""
    if LOSS == 'softmax-cross-entropy':
        logits = logits.reshape(len(logits), -1)  # [batch, classes]
        loss = F.cross_entropy(logits, y)
        return loss, (logits.argmax(dim=1) == y).sum()
    if LOSS == 'bce-with-logits':
        loss = F.binary_cross_entropy_with_logits(logits, y)
        return loss, ((logits > 0) == (y > 0.5)).sum()
    return F.mse_loss(logits, y), torch.zeros((), device=logits.device)


def batch_totals(loss, correct, count):
    """(summed loss, correct, count) of a batch, as float64 on the device."""
    return torch.stack([loss.double() * count, correct.double(),
                        torch.full_like(loss, count, dtype=torch.float64)])


# ---- Checkpoints ----
def checkpoint_path(directory, epoch):
    return Path(directory) / f'epoch-{epoch:03d}.safetensors'


def latest_checkpoint(directory):
    found = sorted(Path(directory).glob('epoch-*.safetensors'))
    if not found:
        raise FileNotFoundError(f'--resume: no checkpoint in {directory}.')
    return found[-1]


def save_checkpoint(model, optimizer, args, epoch, step):
    path = checkpoint_path(args.checkpoint_dir, epoch)
    save_playground_safetensors(model, path, {'epoch': epoch, 'step': step})
    torch.save({'optimizer': optimizer.state_dict(), 'epoch': epoch,
                'step': step}, path.with_suffix('.pt'))
    return path


def resume(model, optimizer, args, device):
    """Loads a checkpoint's weights, and the optimiser state from the .pt
    file beside it when it is there; returns (epoch, step, path)."""
    path = (latest_checkpoint(args.checkpoint_dir) if args.resume == 'latest'
            else Path(args.resume))
    metadata = load_playground_safetensors(model, path)
    epoch = int(metadata.get('epoch', 0))
    step = int(metadata.get('step', 0))
    state_path = path.with_suffix('.pt')
    if state_path.is_file():
        # weights_only: nothing in the file is run as code.
        state = torch.load(state_path, map_location=device, weights_only=True)
        optimizer.load_state_dict(state['optimizer'])
        epoch, step = state['epoch'], state['step']
    return epoch, step, path


# ---- Training ----
def evaluate(model, data, idx, device, rank, world_size):
    """(mean loss, accuracy) over rows `idx`, shared out over the
    processes."""
    model.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    mine = torch.as_tensor(idx[rank::world_size])
    with torch.no_grad():
        for start in range(0, len(mine), 500):
            rows = mine[start:start + 500]
            x = data['x'][rows].to(device)
            y = targets_for_loss(data['y'][rows]).to(device)
            loss, correct = loss_and_correct(model(x), y)
            totals += batch_totals(loss, correct, len(rows))
    if world_size > 1:
        dist.all_reduce(totals)
    count = max(1.0, totals[2].item())
    return totals[0].item() / count, totals[1].item() / count


def train_epoch(ddp_model, model, optimizer, batches, data, device, args,
                state, generator):
    """One pass over this process's batches; returns summed (loss, correct,
    count) over every process."""
    ddp_model.train()
    kernels = decayed_parameters(model)
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    for rows in batches:
        rows = torch.as_tensor(rows)
        x = data['x'][rows]
        if args.augment and INPUT_IS_IMAGE:
            x = shift_images(x, generator)
        if args.flip and INPUT_IS_IMAGE:
            x = flip_images(x, generator)
        x = x.to(device, non_blocking=True)
        y = targets_for_loss(data['y'][rows]).to(device, non_blocking=True)
        for group in optimizer.param_groups:
            group['lr'] = learning_rate_at(state['step'], args,
                                           state['steps_per_epoch'])
        loss, correct = loss_and_correct(ddp_model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        add_penalties(kernels, args.l1, args.l2)
        optimizer.step()
        state['step'] += 1
        totals += batch_totals(loss.detach(), correct, len(rows))
    if dist.is_initialized():
        dist.all_reduce(totals)
    return totals


def main():
    args = parse_args()
    # Deterministic cuBLAS; must be set before the first CUDA call.
    os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
    rank, world_size, device = setup_distributed()
    seed_everything(args.seed, rank, args.tf32)
    if args.batch_size % world_size:
        raise SystemExit(
            f'--batch-size {args.batch_size} does not split evenly over '
            f'{world_size} processes: pass a multiple of {world_size}.')
    data = load_mnist(args) if DATA == 'mnist' else load_dataset(args)

    torch.manual_seed(args.seed)  # the same fresh start on every process
    model = PlaygroundModel().to(device)
    torch.manual_seed(args.seed + rank)  # dropout differs between processes
    optimizer = make_optimizer(model, args)
    first_epoch, step = 0, 0
    if args.resume:
        first_epoch, step, path = resume(model, optimizer, args, device)
        log(rank, f'Resumed from {path} after epoch {first_epoch}.')
    elif args.weights:
        if not Path(args.weights).is_file():
            raise SystemExit(
                f'{args.weights} not found: put the playground\'s weights '
                "there, or pass --weights '' to start from fresh weights.")
        load_playground_safetensors(model, args.weights)
        log(rank, f'Starting from the weights in {args.weights}.')
    ddp_model = model
    if world_size > 1:
        ids = [device.index] if device.type == 'cuda' else None
        ddp_model = DistributedDataParallel(model, device_ids=ids)

    sampler = DistributedSampler(
        data['train'], num_replicas=world_size, rank=rank, shuffle=True,
        seed=args.seed)
    per_process = args.batch_size // world_size
    generator = torch.Generator().manual_seed(args.seed + rank)
    state = {'step': step,
             'steps_per_epoch': math.ceil(len(sampler) / per_process)}
    log(rank, f'{DESIGN_NAME} on {DATA_NAME}: {len(data["train"])} samples, '
              f'{world_size} process(es) on {device.type}, '
              f'{state["steps_per_epoch"]} steps per epoch.')

    best, waited = math.inf, 0
    for epoch in range(first_epoch, args.epochs):
        sampler.set_epoch(epoch)
        batches = BatchSampler([int(data['train'][i]) for i in sampler],
                               per_process, drop_last=False)
        totals = train_epoch(ddp_model, model, optimizer, batches, data,
                             device, args, state, generator)
        count = max(1.0, totals[2].item())
        train_loss = totals[0].item() / count
        if not math.isfinite(train_loss):
            raise SystemExit(
                f'Training diverged in epoch {epoch + 1} (loss '
                f'{train_loss}): lower the learning rate (--lr).')
        line = f'epoch {epoch + 1:3d}/{args.epochs}  loss {train_loss:.4f}'
        if LOSS != 'mse':
            line += f'  accuracy {totals[1].item() / count:.4f}'
        if len(data['test']):
            test_loss, test_accuracy = evaluate(
                model, data, data['test'], device, rank, world_size)
            line += f'  test loss {test_loss:.4f}'
            if LOSS != 'mse':
                line += f'  test accuracy {test_accuracy:.4f}'
        stop = False
        if args.patience > 0 and len(data['val']):
            val_loss, _ = evaluate(model, data, data['val'], device, rank,
                                   world_size)
            line += f'  val loss {val_loss:.4f}'
            if val_loss < best - 1e-6:
                best, waited = val_loss, 0
            else:
                waited += 1
                stop = waited >= args.patience
        if rank == 0:
            path = save_checkpoint(model, optimizer, args, epoch + 1,
                                   state['step'])
            print(f'{line}  -> {path}', flush=True)
        if stop:
            log(rank, f'Early stop: no better validation loss for '
                      f'{args.patience} epochs.')
            break
    if world_size > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
