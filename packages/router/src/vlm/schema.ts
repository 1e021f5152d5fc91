/** The JSON a vision-language model must answer (zod, strict), and its conversion to a RouterDecision. */
import { z } from 'zod';
import { EXPERT_NAMES, REGIMES } from '@arena/core';
import type { RouterDecision } from '../decision.ts';

/** How far a group of probabilities or weights may sum from 1 before the answer is rejected (then renormalised). */
export const SUM_TOLERANCE = 0.02;
export const MAX_RATIONALE_CHARS = 300;

const share = z
  .number({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a number') })
  .nonnegative({ error: 'must be >= 0' });

/** A strict record over `keys` (every key required, no other key) whose values sum to 1 within SUM_TOLERANCE. */
function simplex<const K extends readonly [string, ...string[]]>(keys: K, what: string) {
  return z.record(z.enum(keys), share).superRefine((group, ctx) => {
    const total = sumOf(Object.values<number>(group));
    if (Math.abs(total - 1) > SUM_TOLERANCE) ctx.addIssue({ code: 'custom', message: `${what} sum to ${total.toPrecision(4)}, not 1 (±${SUM_TOLERANCE})` });
  });
}

function sumOf(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export const VlmAnswer = z.strictObject(
  {
    regime: simplex(REGIMES, 'probabilities'),
    weights: simplex(EXPERT_NAMES, 'weights'),
    rationale: z
      .string({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a string') })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(MAX_RATIONALE_CHARS, { error: `must be at most ${MAX_RATIONALE_CHARS} characters` })
      // one line in logs and the dashboard, whatever line breaks the model put in
      .transform((text) => text.replace(/\s+/g, ' ')),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'the answer must be a JSON object' : undefined) },
);
export type VlmAnswer = z.output<typeof VlmAnswer>;

/** A validated answer as a decision: Float64Arrays in REGIMES / EXPERT_NAMES order, each renormalised to sum to exactly 1. */
export function answerToDecision(answer: VlmAnswer): RouterDecision {
  return {
    regime: normalised(REGIMES.map((r) => answer.regime[r])),
    weights: normalised(EXPERT_NAMES.map((e) => answer.weights[e])),
    source: 'vlm',
    rationale: answer.rationale,
  };
}

function normalised(values: readonly number[]): Float64Array {
  const total = sumOf(values);
  return Float64Array.from(values, (v) => v / total);
}

export type AnswerCheck = { readonly ok: true; readonly decision: RouterDecision } | { readonly ok: false; readonly error: string };

/** Validates a parsed JSON value; on failure, every violation in one line (`weights.learned: missing; ...`). */
export function checkAnswer(value: unknown): AnswerCheck {
  const parsed = VlmAnswer.safeParse(value);
  if (parsed.success) return { ok: true, decision: answerToDecision(parsed.data) };
  const error = parsed.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, error };
}
