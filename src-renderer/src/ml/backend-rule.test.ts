import { describe, expect, it } from 'vitest';
import { chooseBackend, isSoftwareRenderer, type Probe } from './backend-rule';

const swiftshader = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader', software: true };
const nvidia = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100', software: false };
const base: Probe = { webgpu: null, webgl: null, wasm: true, threads: true, cores: 2 };

describe('chooseBackend', () => {
  it('prefers WebGPU on a hardware adapter', () => {
    const c = chooseBackend({ ...base, webgpu: nvidia, webgl: { renderer: 'NVIDIA', software: false } });
    expect(c.order).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(c.reason).toContain('NVIDIA H100');
  });

  it('prefers wasm when the only adapter is SwiftShader', () => {
    const c = chooseBackend({ ...base, webgpu: swiftshader, webgl: { renderer: 'SwiftShader', software: true } });
    expect(c.order).toEqual(['wasm', 'webgl', 'webgpu', 'cpu']);
    expect(c.reason).toMatch(/software/);
  });

  it('uses hardware WebGL when WebGPU is missing', () => {
    const c = chooseBackend({ ...base, webgl: { renderer: 'ANGLE (Intel)', software: false } });
    expect(c.order).toEqual(['webgl', 'wasm', 'cpu']);
  });

  it('falls back to cpu when nothing else exists', () => {
    expect(chooseBackend({ ...base, wasm: false }).order).toEqual(['cpu']);
  });

  it('puts a user override first and keeps the rest as fallbacks', () => {
    const c = chooseBackend({ ...base, webgpu: swiftshader }, 'webgpu');
    expect(c.order[0]).toBe('webgpu');
    expect(c.order).toContain('wasm');
    expect(c.reason).toMatch(/chosen by you/);
  });

  it('ignores an override that is not available and says so', () => {
    const c = chooseBackend(base, 'webgpu');
    expect(c.order[0]).toBe('wasm');
    expect(c.reason).toMatch(/not available/);
  });

  it('recognises software renderers', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 4090)')).toBe(false);
  });
});
