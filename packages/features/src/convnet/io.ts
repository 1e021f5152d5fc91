/** Saving and loading a LiteConvNet as model.json (topology + weight specs), weights.bin and card.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { type Tf, loadModelFiles, requireFiles, saveModelFiles } from '@arena/kernels';
import type { ModelCard } from './card.ts';
import { temporalDepthwiseConv } from './temporalConv.ts';

/** Writes the model and its card into dir (created). */
export async function saveConvNet(tf: Tf, model: LayersModel, card: ModelCard, dir: string): Promise<void> {
  await saveModelFiles(tf, model, dir);
  writeFileSync(join(dir, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
}

export interface LoadedConvNet {
  readonly model: LayersModel;
  readonly card: ModelCard;
  readonly dir: string;
}

/** Loads a model saved by saveConvNet; throws naming the file when one is missing or unreadable. */
export async function loadConvNet(tf: Tf, dir: string): Promise<LoadedConvNet> {
  requireFiles(dir, ['model.json', 'weights.bin', 'card.json'], 'train one with `arena train convnet`');
  temporalDepthwiseConv(tf); // registers the custom layer class before the topology is deserialised
  const model = await loadModelFiles(tf, dir);
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as ModelCard;
  return { model, card, dir };
}
