/** The Dawn WebGPU device of the runtime: cached compute pipelines and one-call dispatch with upload and read-back. */

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** a CPU rasteriser (llvmpipe, SwiftShader, lavapipe) rather than a GPU */
  readonly software: boolean;
  /** the Dawn backend in use: vulkan, metal, d3d12, opengles */
  readonly dawnBackend: string;
}

export interface ComputeSpec {
  readonly pipeline: GPUComputePipeline;
  /** bound in order at @binding(0..) as read-only storage */
  readonly inputs: readonly Float32Array[];
  /** element counts of the read_write storage outputs bound after the inputs */
  readonly outputs: readonly number[];
  /** bound last as a uniform buffer (16-byte aligned); omitted when the shader has no uniforms */
  readonly uniforms?: ArrayBuffer;
  readonly workgroups: readonly [number, number?, number?];
}

/** WGSL helpers shared by the kernels: NaN comes from data (a NaN literal does not compile), tested by bits. */
export const WGSL_NAN = /* wgsl */ `
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

export class GpuContext {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
  ) {}

  /** Elements of float32 that fit in one storage binding (kernels chunk larger inputs). */
  get maxBindingElements(): number {
    return Math.floor(Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize) / 4);
  }

  /** Max workgroups along one dispatch dimension. */
  get maxWorkgroupsPerDimension(): number {
    return this.device.limits.maxComputeWorkgroupsPerDimension;
  }

  /** A compute pipeline, compiled once per key. Compilation errors are raised, not only logged. */
  async pipeline(key: string, code: string, entryPoint = 'main'): Promise<GPUComputePipeline> {
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code });
    const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
    const error = await this.device.popErrorScope();
    if (error) throw new Error(`WGSL pipeline ${key} failed to compile: ${error.message}`);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Uploads inputs, runs one compute pass, reads the outputs back. Validation errors throw (Dawn only logs them). */
  async run(spec: ComputeSpec): Promise<Float32Array[]> {
    const { device } = this;
    const usage = globalThis.GPUBufferUsage;
    const buffers: GPUBuffer[] = [];
    const make = (size: number, u: number) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage: u });
      buffers.push(b);
      return b;
    };
    try {
      device.pushErrorScope('validation');
      const entries: GPUBindGroupEntry[] = [];
      for (const data of spec.inputs) {
        const b = make(data.byteLength, usage.STORAGE | usage.COPY_DST);
        device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
        entries.push({ binding: entries.length, resource: { buffer: b } });
      }
      const outs = spec.outputs.map((n) => {
        const b = make(n * 4, usage.STORAGE | usage.COPY_SRC);
        entries.push({ binding: entries.length, resource: { buffer: b } });
        return b;
      });
      if (spec.uniforms !== undefined) {
        const b = make(spec.uniforms.byteLength, usage.UNIFORM | usage.COPY_DST);
        device.queue.writeBuffer(b, 0, spec.uniforms);
        entries.push({ binding: entries.length, resource: { buffer: b } });
      }
      const bindGroup = device.createBindGroup({ layout: spec.pipeline.getBindGroupLayout(0), entries });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(spec.pipeline);
      pass.setBindGroup(0, bindGroup);
      const [x, y = 1, z = 1] = spec.workgroups;
      pass.dispatchWorkgroups(x, y, z);
      pass.end();
      const reads = spec.outputs.map((n, i) => {
        const r = make(n * 4, usage.MAP_READ | usage.COPY_DST);
        encoder.copyBufferToBuffer(outs[i]!, 0, r, 0, Math.ceil((n * 4) / 16) * 16);
        return r;
      });
      device.queue.submit([encoder.finish()]);
      const error = await device.popErrorScope();
      if (error) throw new Error(`WebGPU dispatch failed: ${error.message}`);
      const results: Float32Array[] = [];
      for (let i = 0; i < reads.length; i++) {
        const r = reads[i]!;
        await r.mapAsync(globalThis.GPUMapMode.READ);
        results.push(new Float32Array(r.getMappedRange().slice(0, spec.outputs[i]! * 4)));
        r.unmap();
      }
      return results;
    } finally {
      for (const b of buffers) b.destroy();
    }
  }
}

/** A uniform block of u32 / i32 / f32 fields, padded to 16 bytes. */
export function uniforms(fields: readonly (readonly ['u32' | 'i32' | 'f32', number])[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(buf);
  fields.forEach(([type, v], i) => {
    if (type === 'f32') view.setFloat32(i * 4, v, true);
    else if (type === 'i32') view.setInt32(i * 4, v, true);
    else view.setUint32(i * 4, v, true);
  });
  return buf;
}
