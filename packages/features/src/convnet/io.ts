/** Saving and loading a LiteConvNet as model.json (topology + weight specs), weights.bin and card.json. */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel, io } from '@tensorflow/tfjs';
import type { Tf } from '@arena/kernels';
import type { ModelCard } from './card.ts';
import { temporalDepthwiseConv } from './temporalConv.ts';

/** Writes the model and its card into dir (created). */
export async function saveConvNet(tf: Tf, model: LayersModel, card: ModelCard, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts: io.ModelArtifacts) => {
      const weights = artifacts.weightData;
      if (!(weights instanceof ArrayBuffer)) throw new Error('expected the weights in one buffer');
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(weights));
      const json = { format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      writeFileSync(join(dir, 'model.json'), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  writeFileSync(join(dir, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
}

export interface LoadedConvNet {
  readonly model: LayersModel;
  readonly card: ModelCard;
  readonly dir: string;
}

/** Loads a model saved by saveConvNet; throws naming the file when one is missing or unreadable. */
export async function loadConvNet(tf: Tf, dir: string): Promise<LoadedConvNet> {
  for (const f of ['model.json', 'weights.bin', 'card.json']) {
    if (!existsSync(join(dir, f))) throw new Error(`${join(dir, f)} is missing (train one with \`arena train convnet\`)`);
  }
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: io.WeightsManifestEntry[] }[];
  };
  temporalDepthwiseConv(tf); // registers the custom layer class before the topology is deserialised
  const buf = readFileSync(join(dir, 'weights.bin'));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as ModelCard;
  return { model, card, dir };
}
