/** The `arena` command line: subcommands and their flags (commander); domain logic lives in the packages. */
import { Command, Option } from 'commander';
import { ROUTER_MODES, TIMEFRAMES } from '@arena/core';
import { backtestCommand } from './commands/backtest.ts';
import { lookaheadCommand, recursiveCommand } from './commands/bias.ts';
import { importCommand, inspectCommand, synthCommand } from './commands/data.ts';
import { doctorCommand } from './commands/doctor.ts';
import { evalCommand } from './commands/eval.ts';
import { contestReportCommand } from './commands/contestReport.ts';
import { ledgerSummaryCommand } from './commands/ledger.ts';
import { paperCommand } from './commands/paper.ts';
import { feedCommand } from './commands/feed.ts';
import { dashboardCommand } from './commands/dashboard.ts';
import { trainConvnetCommand } from './commands/train.ts';
import { trainRouterCommand } from './commands/trainRouter.ts';
import { SELECTOR_DEFAULTS, featuresReportCommand } from './commands/features.ts';
import { newExpertCommand } from './commands/newExpert.ts';
import { optimizeCommand } from './commands/optimize.ts';

/** The options every command that loads a market shares: config, data folder or synthetic market, universe, range. */
function marketOptions(cmd: Command, dataHelp: string, rangeHelp: string): Command {
  return cmd
    .option('--config <file>', 'config file (default ./arena.config.json, or arena.config.ts, when present)')
    .option('--data <dir>', dataHelp)
    .option('--symbols <list>', 'comma-separated symbols, e.g. BTC/USDT,ETH/USDT (default: all in the folder)')
    .addOption(new Option('--timeframe <tf>', 'bar timeframe; coarser than the files resamples').choices(TIMEFRAMES))
    .option('--timerange <range>', rangeHelp)
    .option('--synthetic', 'use the synthetic market even if a data folder is configured')
    .option('--seed <n>', 'synthetic market seed')
    .option('--assets <n>', 'synthetic market: number of assets')
    .option('--bars <n>', 'synthetic market: number of bars')
    .option('--strict', 'stop at the first bad data row instead of skipping it with a report');
}

export function buildCli(): Command {
  const program = new Command('arena')
    .description('Arena: trading agents on one engine: backtests, the paper-trading daemon, the live dashboard')
    // a wrong command line is one coded line, exit 2, like every other error (fatal.ts maps commander's errors); set
    // before the subcommands, which inherit both
    .configureOutput({ outputError: () => undefined })
    .exitOverride();

  marketOptions(program.command('backtest').description('backtest the experts on market data (default: the embedded synthetic market) and write a report'), 'folder of candle files (e.g. ../shared/data/crypto/binance/spot)', 'freqtrade-style range: 20250101-20250601, 20250101-, -20250601')
    .option('--fee-bps <bps>', 'taker fee in basis points')
    .option('--weights <list>', 'static expert weights, e.g. trend=0.4,reversal=0.2,breakout=0.2,positioning=0.2')
    .addOption(new Option('--router <mode>', 'expert weights: model (the trained router), static (--weights / config), equal, vlm (ARENA_VLM_URL)').choices(ROUTER_MODES))
    .option('--router-model <dir>', 'router model folder (default models/router/default)')
    .option('--long-only', 'no short positions')
    .addOption(new Option('--market <kind>', 'spot, or perp: perpetual futures with margin, liquidation and funding (market.kind)').choices(['spot', 'perp']))
    .option('--leverage <x>', 'perp: leverage of each position (market.leverage, <= market.maxLeverage)')
    .option('--contest', 'run the agents\' contest: the adopted agents\' weighted proposals become the strategy (contest.enabled)')
    .option('--agents <n>', 'research agents in the contest (contest.agents, default 32)')
    .option('--db <file>', 'ledger (SQLite) for the contest\'s record (default <out>/ledger.db)')
    .option('--no-baselines', 'skip the baselines (buy and hold, each expert alone, equal weight)')
    .option('--out <dir>', 'report folder', 'out/backtest')
    .action(backtestCommand);

  marketOptions(program.command('eval').description('router and contest vs equal weights, best in-sample expert, fitted static weights, oracle, buy and hold and the contest\'s baselines, out of sample after costs'), 'folder of candle files (default: the synthetic market)', 'freqtrade-style range of the whole evaluation (train + test)')
    .option('--test-fraction <f>', 'share of the bars held out at the end (single split)', '0.3')
    .option('--walk-forward <folds>', 'walk-forward: split the second half into this many test blocks, refit before each')
    .option('--train', 'train a router on the training bars (of each fold) instead of using the committed one')
    .option('--allow-overlap', 'run even when a committed model was fitted on bars of a test fold (rows marked not out of sample)')
    .addOption(new Option('--router <mode>', 'the router row: model, static, equal, vlm').choices(ROUTER_MODES))
    .option('--router-model <dir>', 'router model folder (default models/router/default)')
    .option('--fee-bps <bps>', 'taker fee in basis points')
    .option('--long-only', 'no short positions')
    .addOption(new Option('--market <kind>', 'spot, or perp: perpetual futures with margin, liquidation and funding (market.kind)').choices(['spot', 'perp']))
    .option('--leverage <x>', 'perp: leverage of each position (market.leverage, <= market.maxLeverage)')
    .option('--agents <n>', 'research agents in the contest rows (contest.agents, default 32)')
    .option('--db <file>', 'ledger (SQLite) for the contest\'s record (default <out>/ledger.db)')
    .option('--out <dir>', 'output folder (eval.json, eval.html, ledger.db)', 'out/eval')
    .action(evalCommand);

  marketOptions(program.command('lookahead-analysis').description('look-ahead bias check: re-runs the backtest on data ending at sampled decision bars; any stage whose output at the decision changes read the future (exit 1)'), 'folder of candle files (default: the synthetic market)', 'freqtrade-style range')
    .option('--samples <n>', 'decision bars to check', '12')
    .option('--contest', 'with the agents\' contest and its data team (contest.enabled)')
    .addOption(new Option('--router <mode>', 'expert weights: model, static, equal, vlm').choices(ROUTER_MODES))
    .option('--weights <list>', 'static expert weights (implies --router static)')
    .option('--out <dir>', 'folder for lookahead.json', 'out/lookahead')
    .action(lookaheadCommand);

  marketOptions(program.command('recursive-analysis').description('recursive bias check: each feature and rule expert with 200/500/1000/2000 bars of startup against the full history (exit 1 when one depends on more)'), 'folder of candle files (default: the synthetic market)', 'freqtrade-style range')
    .option('--out <dir>', 'folder for recursive.json', 'out/recursive')
    .action(recursiveCommand);

  marketOptions(program.command('paper').description('the paper-trading daemon: replays market data through the pipeline, books in a SQLite ledger, resumes after a crash; never sends an order to an exchange'), 'folder of candle files to replay (default: the synthetic market)', 'freqtrade-style range of the replay')
    .addOption(new Option('--source <source>', 'market stream').choices(['replay', 'kafka', 'live']).default('replay'))
    .option('--fee-bps <bps>', 'taker fee in basis points')
    .option('--long-only', 'no short positions')
    .addOption(new Option('--market <kind>', 'spot, or perp: perpetual futures with margin, liquidation and funding (market.kind)').choices(['spot', 'perp']))
    .option('--leverage <x>', 'perp: leverage of each position (market.leverage, <= market.maxLeverage)')
    .option('--weights <list>', 'static expert weights (implies --router static), e.g. trend=0.5,breakout=0.5')
    .addOption(new Option('--router <mode>', 'expert weights: model, static, equal, vlm').choices(ROUTER_MODES))
    .option('--router-model <dir>', 'router model folder (default models/router/default)')
    .option('--brokers <list>', 'kafka: bootstrap brokers host:port[,host:port...]')
    .option('--group <id>', 'kafka: consumer group id', 'arena-paper')
    .option('--exchange <id>', 'live: ccxt exchange id (public market data only; no order is ever sent)', 'binance')
    .option('--exchange-url <url>', "live: another origin for the exchange's REST API (a proxy, or a local test server)")
    .option('--poll-ms <ms>', 'live: poll period', '10000')
    .option('--contest', "the agents' contest decides (contest.enabled); its record goes to the same ledger")
    .option('--agents <n>', 'research agents in the contest (contest.agents, default 32)')
    .option('--speed <bars-per-second>', "replay speed: bars per second, or 'max'", '20')
    .option('--exit-at-end', 'exit 0 when the replay ends, or (kafka) once caught up and idle for 5 s (default: keep serving until SIGINT/SIGTERM)')
    .option('--db <file>', 'ledger (SQLite); an unfinished run in it is resumed', 'var/arena.db')
    .option('--step-timeout <seconds>', 'a step that has not returned after this long (a user expert stuck in a loop) is logged and the process killed; 0: never', '120')
    .option('--port <[host:]port>', '/healthz and /metrics address (0: any free port; default 127.0.0.1:8080, or the dashboard\'s address with --dashboard)')
    .option('--dashboard <[host:]port>', 'serve the web dashboard too, with /healthz and /metrics on the same address (controls need ARENA_DASHBOARD_TOKEN)')
    .option('--log-format <format>', 'auto (JSON lines unless stderr is a terminal), json (pino) or pretty', 'auto')
    .action(paperCommand);

  program
    .command('dashboard')
    .description('the web dashboard on its own over a ledger file (read-only)')
    .requiredOption('--db <file>', 'ledger file')
    .option('--port <[host:]port>', 'address (0: any free port)', '127.0.0.1:8090')
    .action(dashboardCommand);

  program
    .command('ledger')
    .description('the ledger of paper runs')
    .command('summary')
    .description('orders, fills, final equity and the last bar of the latest paper run (or --run)')
    .requiredOption('--db <file>', 'ledger file')
    .option('--run <id>', 'paper run id (default: the latest)')
    .option('--json', 'one JSON object: {orders, fills, finalEquity, lastTs, ...}')
    .action(ledgerSummaryCommand);

  marketOptions(program.command('feed').description('publish normalised bars (replay files or the synthetic market) to Kafka: arena.md.bars.<tf>, keyed venue:symbol'), 'folder of candle files (default: the synthetic market)', 'freqtrade-style range')
    .addOption(new Option('--source <source>', 'where the bars come from').choices(['replay', 'live']).default('replay'))
    .addOption(new Option('--to <sink>', 'where they go').choices(['kafka']).default('kafka'))
    .requiredOption('--brokers <list>', 'bootstrap brokers host:port[,host:port...]')
    .option('--venue <name>', 'venue in the message key venue:symbol', 'arena')
    .option('--speed <bars-per-second>', "replay: bar times per second, or 'max'", 'max')
    .option('--exchange <id>', 'live: ccxt exchange id (public market data)', 'binance')
    .option('--exchange-url <url>', "live: another origin for the exchange's REST API")
    .option('--poll-ms <ms>', 'live: poll period', '10000')
    .action(feedCommand);

  const contest = program.command('contest').description('the agents\' contest: its leaderboard over time from a ledger');
  contest
    .command('report')
    .description('leaderboard over time (realised, predicted, adopted, weight) as a table, contest.json and contest.html with plots')
    .requiredOption('--db <file>', 'ledger written by backtest --contest or eval')
    .option('--run <id>', 'ledger run id (default: the latest with a contest)')
    .option('--top <n>', 'agents in the leaderboard table', '10')
    .option('--out <dir>', 'output folder (contest.json, contest.html)', 'out/contest')
    .action(contestReportCommand);

  program
    .command('doctor')
    .description('tensor backends found, the one chosen and why, the GPU adapter; --bench measures the kernels')
    .option('--bench', 'run a short kernel benchmark on the chosen backend')
    .option('--seconds <n>', 'benchmark budget in seconds', '30')
    .action(doctorCommand);

  const train = program.command('train').description('train the models: convnet (the learned expert), router (the expert weights)');
  marketOptions(train.command('convnet').description('walk-forward training of the LiteConvNet on the dynamically selected features, then pruning'), 'folder of candle files (default: the synthetic market)', 'training range, e.g. 20240901-20250901 (the model never sees a return past its end)')
    .option('--name <name>', 'model name', 'convnet')
    .option('--out <dir>', 'model folder (default models/convnet/<name>)')
    .option('--horizon <bars>', 'forward-return horizon', '4')
    .option('--epochs <n>', 'max epochs per fold (early stopping)')
    .option('--folds <n>', 'walk-forward folds')
    .option('--sparsity <s>', 'magnitude-pruning target in [0, 1)')
    .option('--samples-per-epoch <n>', 'training samples drawn per epoch')
    .option('--selector-window <bars>', 'feature-selection window')
    .option('--train-seed <n>', 'seed of initialisation and sampling')
    .action(trainConvnetCommand);

  marketOptions(train.command('router').description('train the multimodal router: supervised fine-tuning on hindsight labels, then RL (GRPO) on risk-adjusted returns'), 'folder of candle files (default: the synthetic market)', 'range split chronologically into train / validation / test (70/15/15)')
    .option('--truth-labels', 'synthetic market: learn its true regimes instead of the hindsight rule')
    .option('--in-sample-learned', "learn from the committed convnet's outputs as they are (in sample on its own training bars); by default convnets are retrained on a chain over the bars and the router learns from their out-of-sample outputs")
    .option('--name <name>', 'model name', 'router')
    .option('--out <dir>', 'model folder (default models/router/<name>)')
    .option('--horizon <bars>', 'forward window of the reward and the regime label (default 24)')
    .option('--stride <bars>', 'a decision sample every this many bars (default 4)')
    .option('--sft-epochs <n>', 'max supervised epochs (early stopping on validation Sharpe)')
    .option('--rl-epochs <n>', 'max RL epochs')
    .option('--kl-bound <kl>', 'RL trust region: max mean KL to the SFT policy')
    .option('--samples-per-epoch <n>', 'training samples per epoch')
    .option('--train-seed <n>', 'seed of initialisation, sampling and RL exploration')
    .option('--no-features', 'leave the dynamically selected features out of the temporal branch')
    .action(trainRouterCommand);

  const features = program.command('features').description('the feature catalogue and its dynamic selection: report');
  marketOptions(features.command('report').description('compute the feature catalogue, run the dynamic selector, write features.html and features.json'), 'folder of candle files (default: the synthetic market)', 'freqtrade-style range: 20250101-20250901, 20250101-, -20250601')
    .option('--window <bars>', `selector: bars of history each selection looks at (default ${SELECTOR_DEFAULTS.window})`)
    .option('--horizon <bars>', `forward-return horizon the features are scored against (default ${SELECTOR_DEFAULTS.horizon})`)
    .option('--reselect-every <bars>', `selector: scheduled re-selection interval (default ${SELECTOR_DEFAULTS.reselectEvery})`)
    .option('--out <dir>', 'report folder', 'out/features')
    .action(featuresReportCommand);

  marketOptions(program.command('optimize').description('walk-forward optimisation of expert parameters (built-in and your own) and portfolio settings: search each in-sample block, score the winner on the next block; trials in worker threads, stored in a ledger (an interrupted study continues)'), 'folder of candle files (default: the synthetic market)', 'freqtrade-style range of the whole study')
    .option('--trials <n>', 'trials per fold (the first is the configured values)', '50')
    .option('--folds <n>', 'walk-forward folds: the bars are cut into folds + 1 blocks', '4')
    .option('--objective <name>', 'sharpe, sortino, calmar or return (after costs)', 'sharpe')
    .option('--min-trades <n>', 'a trial with fewer closed trades in its block does not count', '10')
    .option('--sampler <name>', 'tpe (after 16 random trials) or random', 'tpe')
    .option('--space <groups>', 'comma-separated groups to tune: trend, reversal, breakout, positioning, portfolio, a user expert\'s name (default: every expert with a weight, and portfolio)')
    .option('--workers <n>', 'worker threads running trials (default: the CPUs, at most 8)')
    .option('--opt-seed <n>', 'seed of the sampler', '1')
    .option('--study <name>', 'name of the study in the ledger (default: a hash of data, space and settings)')
    .option('--fee-bps <bps>', 'taker fee in basis points')
    .option('--long-only', 'no short positions')
    .option('--weights <list>', 'static expert weights, e.g. trend=0.4,reversal=0.2 (the learned expert is left out: 0)')
    .option('--db <file>', 'ledger (SQLite) holding the trials (default <out>/ledger.db)')
    .option('--out <dir>', 'output folder (optimize.json, optimize.html, ledger.db)', 'out/optimize')
    .action(optimizeCommand);

  program
    .command('new')
    .description('scaffold your own code')
    .command('expert <name>')
    .description('a user expert in your folder: NAME.ts (an ExpertSpec to edit), NAME.test.ts, tsconfig.json, and its arena.config.json entry (docs/experts.md)')
    .option('--dir <dir>', 'folder to write into (created if absent)', '.')
    .option('--force', 'overwrite NAME.ts and NAME.test.ts when they exist')
    .action(newExpertCommand);

  const data = program.command('data').description('market data: inspect, import, synthesise');
  data
    .command('inspect <dir>')
    .description('per candle file: symbol, timeframe, range, rows, gaps, duplicates, bad rows')
    .action(inspectCommand);
  data
    .command('import <files...>')
    .description('normalise CSV files you bring into Arena candle files (DuckDB)')
    .requiredOption('--out <dir>', 'folder to write <SYMBOL>.csv.gz into')
    .option('--symbol <symbol>', 'symbol of a single imported file (default: from the file name)')
    .addOption(new Option('--timeframe <tf>', 'expected timeframe (default: inferred)').choices(TIMEFRAMES))
    .action(importCommand);
  data
    .command('synth')
    .description('write the synthetic market (candles + ground-truth regimes) as csv.gz files')
    .requiredOption('--out <dir>', 'folder to write into')
    .option('--seed <n>', 'seed', '42')
    .option('--assets <n>', 'number of assets', '6')
    .option('--bars <n>', 'number of bars', '6000')
    .addOption(new Option('--timeframe <tf>', 'bar timeframe').choices(TIMEFRAMES).default('1h'))
    .action(synthCommand);
  return program;
}
