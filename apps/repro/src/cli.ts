import '@tensorflow/tfjs';
import { BACKEND_CHOICES } from '@bioprop/trainer';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cocoEvalCommand, prepareFashionMosaicCommand } from './commands/coco';
import { evalCommand } from './commands/eval';
import { miniCommand } from './commands/mini';
import { parseReplicas, parseWasmThreads } from './commands/parallelism';
import { presetsCommand } from './commands/presets';
import { reportCommand } from './commands/report';
import { summaryCommand } from './commands/summary';
import { trainCommand } from './commands/train';

function int(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(`${flag} must be a non-negative integer, got '${v}'`);
    }
    return n;
  };
}

function num(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(`${flag} must be a non-negative number, got '${v}'`);
    }
    return n;
  };
}

/** A parser that throws a plain Error, as commander's argument error (commander prints it and exits). */
function commanderParse<T>(parse: (v: string) => T) {
  return (v: string) => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

const backendOption = () =>
  new Option('--backend <name>', 'compute backend (webgpu: a GPU through Dawn, else a slow software adapter)')
    .choices([...BACKEND_CHOICES])
    .default('auto');

const augmentationOption = () =>
  new Option(
    '--augmentation <kind>',
    "Fashion-MNIST training augmentation (default: the preset's, reference)",
  ).choices(['reference', 'torchvision']);

const program = new Command('repro')
  .description('BioProp: reproduce "Biologically-plausible learning algorithms can scale to large datasets"')
  .showHelpAfterError();

program
  .command('train')
  .description('train a preset; Ctrl-C writes a checkpoint, --resume continues it')
  .requiredOption('--preset <name>', 'preset name (see `repro presets`)')
  .option(
    '--data <dir>',
    'data folder: ImageNet layout (train/, val/), COCO or fashion-mosaic, or Fashion-MNIST IDX files (a resumed run defaults to its own)',
  )
  .option('--out <dir>', 'run directory (default runs/<preset>)')
  .option('--resume', "continue from the run directory's last checkpoint")
  .addOption(backendOption())
  .option('--epochs <n>', 'override the number of epochs', int('--epochs'))
  .option('--batch-size <n>', 'override the batch size', int('--batch-size'))
  .option('--lr <x>', 'override the learning rate', num('--lr'))
  .option('--width <n>', 'override the ResNet width', int('--width'))
  .option('--input-size <n>', 'override the input (crop) size', int('--input-size'))
  .option('--classes <n>', 'override the number of classes', int('--classes'))
  .option('--seed <n>', 'override the seed', int('--seed'))
  .option('--train-limit <n>', 'use only the first N training images', int('--train-limit'))
  .option('--test-limit <n>', 'use only the first N test images', int('--test-limit'))
  .addOption(augmentationOption())
  .option(
    '--backbone-checkpoint <file>',
    'detection: start the backbone from a `repro train` checkpoint of the same ResNet (last.ckpt)',
  )
  .option('--frozen-bn', "detection: backbone batch norm frozen, as torchvision's FrozenBatchNorm2d")
  .option(
    '--head-group-norm <groups>',
    "detection: GroupNorm in the heads (torchvision's v2 head uses 32)",
    int('--head-group-norm'),
  )
  .option('--alignment-every <n>', 'log alignment angles every N steps (0: never)', int('--alignment-every'))
  .option(
    '--wasm-threads <n>',
    'wasm: XNNPACK threads in this process, at most 8 (default: one per core; 1 with --replicas)',
    commanderParse(parseWasmThreads),
  )
  .option(
    '--replicas <n>',
    'data-parallel replicas in worker threads, one wasm thread each (default 1; a resumed run keeps its count)',
    commanderParse(parseReplicas),
  )
  .option('--epoch-limit <n>', 'train at most N epochs in this invocation', int('--epoch-limit'))
  .option('--log-every <n>', 'log a step row every N steps (default 50)', int('--log-every'))
  .option(
    '--checkpoint-minutes <m>',
    'also checkpoint mid-epoch every M minutes (0: only at the end of each epoch)',
    num('--checkpoint-minutes'),
    15,
  )
  .addOption(
    new Option('--progress <mode>', 'progress display')
      .choices(['auto', 'bar', 'lines', 'none'])
      .default('auto'),
  )
  .action(async (opts) => {
    process.exitCode = await trainCommand(opts);
  });

program
  .command('eval')
  .description("evaluate a run's last checkpoint on its test split")
  .requiredOption('--run <dir>', 'run directory')
  .option('--data <dir>', 'data folder (as for train; default: the one the run trained on)')
  .option(
    '--results <file>',
    'detection: where the COCO results JSON goes (default <run>/detections_val.json)',
  )
  .option('--score-thresh <x>', "detection: score threshold (default the run's, 0.05)", num('--score-thresh'))
  .addOption(backendOption())
  .option('--json', 'print one JSON object')
  .action(async (opts) => {
    process.stdout.write(await evalCommand(opts));
  });

program
  .command('mini')
  .description(
    'the main job: fashion-quick with bp, ss and fa in parallel, then the report (about 15 min on 2 cores); --family mini: the 8-epoch fidelity runs; --family detection: the mosaic RetinaNet runs',
  )
  .option('--out <dir>', 'output folder', 'runs/mini')
  .option('--resume', 'resume the three runs')
  .addOption(backendOption())
  .addOption(
    new Option('--family <name>', 'presets to run').choices(['quick', 'mini', 'detection']).default('quick'),
  )
  .option('--epochs <n>', 'override the number of epochs', int('--epochs'))
  .option('--train-limit <n>', 'use only the first N training images', int('--train-limit'))
  .option('--test-limit <n>', 'use only the first N test images', int('--test-limit'))
  .addOption(augmentationOption())
  .action(async (opts) => {
    const trainArgs: string[] = [];
    if (opts.augmentation !== undefined) trainArgs.push('--augmentation', opts.augmentation);
    if (opts.epochs !== undefined) trainArgs.push('--epochs', String(opts.epochs));
    if (opts.trainLimit !== undefined) trainArgs.push('--train-limit', String(opts.trainLimit));
    if (opts.testLimit !== undefined) trainArgs.push('--test-limit', String(opts.testLimit));
    process.exitCode = await miniCommand({ ...opts, trainArgs });
  });

program
  .command('report')
  .description('Markdown table of final errors and the test-error-per-epoch figure (SVG and PNG)')
  .argument('<runs...>', 'run directories')
  .option('--out <dir>', 'output folder', 'report')
  .action(async (runs: string[], opts) => {
    const files = await reportCommand(runs, opts.out);
    process.stdout.write(`wrote ${files.join(', ')}\n`);
  });

program
  .command('summary')
  .description('layers, parameters and FLOPs of an architecture')
  .requiredOption('--arch <name>', 'resnet18, resnet34, resnet50 or alexnet')
  .option('--width <n>', 'ResNet width', int('--width'))
  .option('--classes <n>', 'classes', int('--classes'))
  .option('--input-size <n>', 'input side', int('--input-size'))
  .option('--input-channels <n>', 'input channels', int('--input-channels'))
  .addOption(new Option('--stem <name>', 'ResNet stem').choices(['imagenet', 'small']))
  .option('--json', 'print JSON')
  .action((opts) => {
    process.stdout.write(summaryCommand(opts));
  });

program
  .command('presets')
  .description('list the presets')
  .action(() => {
    process.stdout.write(presetsCommand());
  });

program
  .command('coco-eval')
  .description('score COCO bbox results like pycocotools')
  .requiredOption('--gt <file>', 'instances JSON')
  .requiredOption('--dt <file>', 'results JSON')
  .option('--json', 'print the 12 numbers as one JSON object')
  .action(async (opts) => {
    process.stdout.write(await cocoEvalCommand(opts));
  });

program
  .command('prepare')
  .description('prepare a data set')
  .argument('<name>', 'fashion-mosaic')
  .requiredOption('--out <dir>', 'output folder')
  .option('--data <dir>', 'Fashion-MNIST folder (default: the shipped copy)')
  .option('--train <n>', 'training canvases', int('--train'))
  .option('--val <n>', 'validation canvases', int('--val'))
  .option('--canvas <n>', 'canvas side in pixels', int('--canvas'))
  .option('--seed <n>', 'seed', int('--seed'))
  .action(async (name: string, opts) => {
    if (name !== 'fashion-mosaic') throw new Error(`unknown data set '${name}' (known: fashion-mosaic)`);
    process.stdout.write(await prepareFashionMosaicCommand(opts));
  });

program.parseAsync().catch((err: Error) => {
  console.error(`repro: ${err.message}`);
  process.exitCode = 1;
});
