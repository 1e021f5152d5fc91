/** The TypeScript forward pass of the committed LiteConvNet against tfjs's predict on the same masked windows. */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { initRuntime, type Runtime } from '@arena/kernels';
import type { Tensor } from '@tensorflow/tfjs';
import { ConvNetForward, ConvNetStepper } from './forward.ts';
import { type LoadedConvNet, loadConvNet } from './io.ts';

const MODEL = fileURLToPath(new URL('../../../../models/convnet/default', import.meta.url));
let rt: Runtime;
let net: LoadedConvNet;
beforeAll(async () => {
  rt = await initRuntime({ backend: 'wasm' });
  net = await loadConvNet(rt.tf, MODEL);
});

describe('ConvNetForward', () => {
  it('gives tfjs predict outputs to float32 rounding, for several selections (unselected features zero)', () => {
    const { window: W, features: F } = net.card.spec;
    const fwd = new ConvNetForward(net.model, net.card.spec);
    const rng = new Rng(3);
    const n = 64;
    const x = new Float32Array(n * W * F);
    const result = new Float64Array(2);
    for (const selected of [[0, 5, 9, 20, 33, 41], [2, 3, 4, 12, 17, 25, 30, 44, 47], []]) {
      const mask = new Float32Array(F);
      for (const f of selected) mask[f] = 1;
      for (let i = 0; i < x.length; i++) x[i] = mask[i % F]! * Math.max(-5, Math.min(5, rng.normal()));
      fwd.setMask(mask);
      const y = rt.tf.tidy(() => net.model.predict(rt.tf.tensor3d(x, [n, W, F])) as Tensor);
      const want = y.dataSync();
      y.dispose();
      let worst = 0;
      for (let s = 0; s < n; s++) {
        fwd.predict(x, s * W * F, result);
        for (let o = 0; o < 2; o++) worst = Math.max(worst, Math.abs(result[o]! - want[s * 2 + o]!) / Math.max(1, Math.abs(want[s * 2 + o]!)));
      }
      expect(worst, `selection ${selected.join(',')}`).toBeLessThan(2e-5);
    }
  });

  it('ConvNetStepper over a sliding window gives predict over the whole window bit for bit, across a change of selection', () => {
    const { window: W, features: F } = net.card.spec;
    const fwd = new ConvNetForward(net.model, net.card.spec);
    const stepper = new ConvNetStepper(fwd, 2);
    const rng = new Rng(9);
    const T = 200;
    const rows = Float32Array.from({ length: T * 2 * F }, () => Math.max(-5, Math.min(5, rng.normal())));
    const x = new Float32Array(W * F);
    const full = new Float64Array(2);
    const stepped = new Float64Array(2);
    const mask = new Float32Array(F);
    for (const f of [1, 4, 8, 15, 16, 23, 42]) mask[f] = 1;
    fwd.setMask(mask);
    for (let t = W - 1; t < T; t++) {
      if (t === 120) {
        mask.fill(0);
        for (const f of [0, 2, 30, 31, 49]) mask[f] = 1;
        fwd.setMask(mask);
        stepper.invalidate();
      }
      for (let a = 0; a < 2; a++) {
        for (let w = 0; w < W; w++) for (let f = 0; f < F; f++) x[w * F + f] = mask[f]! * rows[((t - W + 1 + w) * 2 + a) * F + f]!;
        fwd.predict(x, 0, full);
        stepper.step(a, x, 0, stepped);
        expect([Object.is(stepped[0], full[0]), Object.is(stepped[1], full[1])], `bar ${t} asset ${a}`).toEqual([true, true]);
      }
    }
  });
});
