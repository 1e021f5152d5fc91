/** Saving and loading a router: model.json, weights.bin and card.json in one folder. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { type Tf, loadModelFiles, requireFiles, saveModelFiles } from '@arena/kernels';
import type { RouterCard } from './card.ts';

export interface LoadedRouter {
  readonly model: LayersModel;
  readonly card: RouterCard;
  readonly dir: string;
}

export async function saveRouter(tf: Tf, model: LayersModel, card: RouterCard, dir: string): Promise<void> {
  await saveModelFiles(tf, model, dir);
  writeFileSync(join(dir, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
}

export async function loadRouter(tf: Tf, dir: string): Promise<LoadedRouter> {
  requireFiles(dir, ['model.json', 'weights.bin', 'card.json'], 'train one with `arena train router`');
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as RouterCard;
  if (card.kind !== 'mm_router') throw new Error(`${join(dir, 'card.json')} is a ${String(card.kind)} card, not a router's`);
  return { model: await loadModelFiles(tf, dir), card, dir };
}
