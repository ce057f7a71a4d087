// Runs in Chromium: the same CNN, weights and batch on the cpu backend and on WebGPU (SwiftShader
// here), comparing loss, every gradient, and three Adam steps. WebGPU's training kernels are young;
// this is what proves ours train correctly on it.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { buildModel } from '../../src-renderer/src/ml/layers';
import { categoricalCrossentropy } from '../../src-renderer/src/ml/optim';
import { getPreset } from '../../src-renderer/src/ml/presets';
import { mulberry32 } from '../../src-renderer/src/ml/random';

interface BackendRun {
  loss: number;
  grads: Record<string, Float32Array>;
  adamLosses: number[];
}

async function runOn(backend: string, presetId: 'report-fixed' | 'best'): Promise<BackendRun> {
  await tf.setBackend(backend);
  await tf.ready();
  const rng = mulberry32(7);
  const n = 8;
  const x = tf.tensor4d(Float32Array.from({ length: n * 784 }, () => rng()), [n, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10).toFloat() as tf.Tensor2D;
  const model = buildModel(getPreset(presetId).layers, { seed: 3 });
  const lossFn = () => categoricalCrossentropy(y, model.apply(x, { training: false }) as tf.Tensor2D);
  const { value, grads } = tf.variableGrads(lossFn);
  const out: BackendRun = { loss: (await value.data())[0]!, grads: {}, adamLosses: [] };
  // Keyed by position: tfjs uniquifies variable names between the two builds of the model.
  for (const [i, w] of model.trainableWeights.entries()) {
    const g = grads[(w.read() as tf.Variable).name] ?? grads[w.name];
    if (g) out.grads[`${i}:${w.originalName}`] = (await g.data()) as Float32Array;
  }
  tf.dispose([value, ...Object.values(grads)]);
  const opt = tf.train.adam(1e-3);
  for (let i = 0; i < 3; i++) {
    const loss = opt.minimize(lossFn, true) as tf.Scalar;
    out.adamLosses.push((await loss.data())[0]!);
    loss.dispose();
  }
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return out;
}

export async function gradcheck(presetId: 'report-fixed' | 'best') {
  const cpu = await runOn('cpu', presetId);
  const gpu = await runOn('webgpu', presetId);
  let worst = { name: '', relErr: 0 };
  for (const [name, a] of Object.entries(cpu.grads)) {
    const b = gpu.grads[name];
    if (!b || b.length !== a.length) return { error: `gradient ${name} missing or misshapen on webgpu` };
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num += (a[i]! - b[i]!) ** 2;
      den += a[i]! ** 2;
    }
    const relErr = Math.sqrt(num / Math.max(den, 1e-20));
    if (relErr > worst.relErr) worst = { name, relErr };
  }
  const adapter = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
  return {
    backend: tf.getBackend(),
    adapter: adapter?.info?.architecture ?? adapter?.info?.vendor ?? '',
    loss: { cpu: cpu.loss, webgpu: gpu.loss },
    worst,
    variables: Object.keys(cpu.grads).length,
    adam: { cpu: cpu.adamLosses, webgpu: gpu.adamLosses },
  };
}

(window as unknown as { gradcheck: typeof gradcheck }).gradcheck = gradcheck;
