/** A tfjs layers model on disk: model.json (topology + weight specs) and weights.bin, written and read without a network loader. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel, io } from '@tensorflow/tfjs';
import type { Tf } from './tfjs.ts';

/** Writes dir/model.json and dir/weights.bin (dir is created). */
export async function saveModelFiles(tf: Tf, model: LayersModel, dir: string): Promise<void> {
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
}

/** Throws naming the first of `files` missing in dir, with how to make one. */
export function requireFiles(dir: string, files: readonly string[], howToMake: string): void {
  for (const f of files) if (!existsSync(join(dir, f))) throw new Error(`${join(dir, f)} is missing (${howToMake})`);
}

/** Reads a model written by saveModelFiles (custom layer classes must be registered first). */
export async function loadModelFiles(tf: Tf, dir: string): Promise<LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: io.WeightsManifestEntry[] }[];
  };
  const buf = readFileSync(join(dir, 'weights.bin'));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
}
