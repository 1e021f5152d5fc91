/**
 * The body of a user expert's thread (userThread.ts): loads the module as the caller did (checks and probe
 * included), then steps the rows of each request time-major, as UserExpertsStage does on the caller's thread, and
 * reports a fault with its row. It waits for requests in Atomics.wait: nothing else runs on this thread.
 */
import { workerData } from 'node:worker_threads';
import { threadId } from '@arena/core';
import { CTRL, FIELDS, MESSAGE_BYTES, type UserThreadSetup } from './userThread.ts';
import { ExpertFault, type ParamValue, SpecExpert } from './sdk.ts';
import { type UserExpert, loadUserExpert } from './userModule.ts';

const setup = workerData as UserThreadSetup;
const A = setup.ctx.nAssets;
const K = setup.capacity;
const ctrl = new Int32Array(setup.ctrl);
const fields = Array.from({ length: FIELDS }, (_, f) => new Float64Array(setup.rows, f * K * A * 8, K * A));
const present = new Uint8Array(setup.present);
const ts = new Float64Array(setup.ts);
const span = new Float64Array(setup.span);
const out = new Float64Array(setup.out);
const confidence = new Float64Array(K * A);
const message = new Uint8Array(setup.message);
const rows = { nAssets: A, symbols: setup.symbols, ts, open: fields[0]!, high: fields[1]!, low: fields[2]!, close: fields[3]!, volume: fields[4]!, present };

function say(text: string): void {
  const bytes = new TextEncoder().encode(text).subarray(0, MESSAGE_BYTES);
  message.set(bytes);
  Atomics.store(ctrl, CTRL.messageBytes, bytes.length);
}

let expert: SpecExpert | undefined;
let user: UserExpert | undefined;
let stage = 'load';
try {
  // the caller probed it already (on a thread like this one, or on its own)
  user = await loadUserExpert({ name: setup.name, module: setup.module, params: { ...setup.params }, weight: 0 }, { probe: false });
  stage = 'init';
  Atomics.store(ctrl, CTRL.ready, 3);
  Atomics.notify(ctrl, CTRL.ready);
  expert = user.create();
  expert.reset(setup.ctx);
  Atomics.store(ctrl, CTRL.tid, threadId() ?? 0);
  Atomics.store(ctrl, CTRL.ready, 1);
} catch (e) {
  expert = undefined;
  const why = (e as Error)?.message ?? String(e);
  say(stage === 'init' ? `init failed: ${why}` : why);
  Atomics.store(ctrl, CTRL.ready, 2);
}
Atomics.notify(ctrl, CTRL.ready);

let seen = 0;
while (expert !== undefined) {
  Atomics.wait(ctrl, CTRL.request, seen);
  seen = Atomics.load(ctrl, CTRL.request);
  const t0 = span[0]!;
  const n = span[1]!;
  let status = 0;
  let row = 0;
  if (n < 0) {
    // restart: a fresh expert with the params the caller sent (resolved already), each asset's init again
    try {
      const sent = JSON.parse(new TextDecoder().decode(message.slice(0, Atomics.load(ctrl, CTRL.messageBytes)))) as { params: Record<string, ParamValue>; ctx: UserThreadSetup['ctx'] };
      expert = new SpecExpert(setup.name, user!.spec, sent.params);
      expert.reset(sent.ctx);
    } catch (e) {
      status = 1;
      say(`init failed: ${(e as Error)?.message ?? String(e)}`);
      expert = undefined;
    }
    Atomics.store(ctrl, CTRL.status, status);
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
    continue;
  }
  try {
    for (; row < n; row++) {
      const t = t0 + row;
      for (let a = 0; a < A; a++) expert.advanceRows(rows, t0, a, t, t + 1, out, confidence, row * A);
      Atomics.add(ctrl, CTRL.progress, 1);
    }
  } catch (e) {
    status = 1;
    say(e instanceof ExpertFault ? e.message : `expert ${setup.name} failed at bar ${t0 + row}: ${(e as Error)?.message ?? String(e)}`);
    expert = undefined;
  }
  Atomics.store(ctrl, CTRL.status, status);
  Atomics.store(ctrl, CTRL.faultRow, row);
  Atomics.store(ctrl, CTRL.done, seen);
  Atomics.notify(ctrl, CTRL.done);
}
