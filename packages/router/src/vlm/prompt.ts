/** The chat-completions request a vision-language model gets: the task, the chart as a PNG data URL, a feature summary. */
import { EXPERT_NAMES, REGIMES } from '@arena/core';

/** The system message: what the chart shows, what each expert does, and the only JSON accepted in reply. */
export const VLM_SYSTEM_PROMPT = [
  'You are the regime router of a trading system. You see one candlestick chart of one asset and a short text summary.',
  'Chart: black background; green candles closed up, red candles closed down (body = open to close, thin wick = high to low);',
  'grey bars at the bottom are volume; the blue line is a moving average of the close. The oldest bar is on the left, the latest on the right.',
  `Task 1: classify the current regime as probabilities over ${REGIMES.join(', ')} (volatile = large swings without a lasting direction).`,
  'Task 2: weight the five experts for the next bars:',
  '- trend: EMA-gap trend follower (long while the fast EMA is above the slow one, short below).',
  '- reversal: z-score / RSI mean reversion (leans against stretched moves).',
  '- breakout: Donchian channel breakout with volume confirmation.',
  '- positioning: volatility targeting and drawdown control (cuts size when risk rises).',
  '- learned: a small conv net on selected features.',
  'Answer ONLY this JSON object, nothing before or after it:',
  '{"regime": {"trend_up": p, "trend_down": p, "range": p, "volatile": p},',
  ' "weights": {"trend": w, "reversal": w, "breakout": w, "positioning": w, "learned": w},',
  ' "rationale": "one line"}',
  'Every p and w is a number >= 0; the four p sum to 1 and the five w sum to 1. No other keys. The rationale is one line of at most 300 characters.',
].join('\n');

/** What the summary is written from: one asset at one bar. */
export interface SummaryInput {
  /** absent: anonymised (neither the symbol nor the bar's time is given) */
  readonly symbol?: string;
  readonly timeframe: string;
  /** bar time, ms UTC (absent: anonymised) */
  readonly ts?: number;
  /** named long-horizon features (name -> value) */
  readonly features: Readonly<Record<string, number>>;
  /** the experts' current exposures in [-1, 1] (name -> exposure) */
  readonly exposures: Readonly<Record<string, number>>;
}

/**
 * A compact text summary; the same input always gives the same text (the cache key depends on it): features in
 * name order, exposures in EXPERT_NAMES order then any other name in name order.
 */
export function featureSummary(input: SummaryInput): string {
  const head =
    input.symbol === undefined && input.ts === undefined
      ? `${input.timeframe} bars (asset and dates withheld)`
      : `${input.symbol ?? 'asset withheld'} ${input.timeframe}, bar ${input.ts !== undefined && Number.isFinite(input.ts) ? new Date(input.ts).toISOString() : 'unknown'}`;
  const features = Object.keys(input.features)
    .sort(byName)
    .map((name) => `${name}=${formatFeature(input.features[name])}`);
  const known: readonly string[] = EXPERT_NAMES;
  const experts = [
    ...EXPERT_NAMES.filter((name) => name in input.exposures),
    ...Object.keys(input.exposures).filter((name) => !known.includes(name)).sort(byName),
  ].map((name) => `${name}=${formatExposure(input.exposures[name])}`);
  return [
    head,
    `features: ${features.length > 0 ? features.join(' ') : 'none'}`,
    `expert exposures: ${experts.length > 0 ? experts.join(' ') : 'none'}`,
  ].join('\n');
}

// code-unit order, not localeCompare: the text must not depend on the machine's locale
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function formatFeature(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? value.toPrecision(4) : 'n/a';
}

function formatExposure(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  const rounded = value.toFixed(2);
  return rounded.startsWith('-') ? rounded : `+${rounded}`;
}

export type ChatMessagePart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

/** An OpenAI-compatible chat-completions request body. */
export interface ChatRequestBody {
  readonly model: string;
  readonly messages: readonly [
    { readonly role: 'system'; readonly content: string },
    { readonly role: 'user'; readonly content: readonly [ChatMessagePart, ChatMessagePart] },
  ];
  readonly response_format: { readonly type: 'json_object' };
  readonly temperature: 0;
  readonly max_tokens: number;
}

/** The request for one chart: the system prompt, then the summary and the PNG as a base64 data URL. */
export function buildChatRequest(
  options: { readonly model: string; readonly maxTokens: number },
  chart: { readonly png: Buffer; readonly summary: string },
): ChatRequestBody {
  return {
    model: options.model,
    messages: [
      { role: 'system', content: VLM_SYSTEM_PROMPT },
      {
        role: 'user',
        content: [
          { type: 'text', text: chart.summary },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${chart.png.toString('base64')}` } },
        ],
      },
    ],
    response_format: { type: 'json_object' },
    temperature: 0,
    max_tokens: options.maxTokens,
  };
}
