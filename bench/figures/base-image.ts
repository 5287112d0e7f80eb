/*
 * Figure 1 — the base image: how small the code present before any module loads is (the
 * bootstrap, the whole base image), next to all kernel code (the bootstrap plus every module
 * bundle, what one monolithic image would hold); how many of its frames stay in use once the
 * kernel has freed them (the goal is none); and the kernel module, which the bootstrap loads.
 */
import { FRAME_SIZE } from '../../emulator/machine-interface.ts';
import { bootKernel, buildInMemory } from '../../test/harness.ts';
import { compare, type Figure } from '../lib/figure.ts';

const frames = (bytes: number) => Math.ceil(bytes / FRAME_SIZE);

export async function baseImage(): Promise<Figure> {
  const { result } = await buildInMemory();
  const { text, init } = result.imageSections;
  const moduleBytes = result.modules.reduce((sum, { code }) => sum + code.length, 0);
  const kernelModule = result.modules.find(({ record }) => record.name === 'kernel')!;
  const kernel = await bootKernel();
  const free = await kernel.run('free');
  const log = await kernel.run('dmesg');
  await kernel.halt();
  const freed = /Freeing unused kernel memory: (\d+K)/.exec(log)?.[1] ?? 'nothing';
  const bootstrapMs = /bootstrap: .* in ([\d.]+) ms/.exec(log)?.[1] ?? '?';
  const baseFramesAfterBoot = Number(/base text (\d+)/.exec(free)![1]);
  const moduleFramesAfterBoot = Number(/module text (\d+)/.exec(free)![1]);
  const allCode = text + init + moduleBytes;
  return {
    number: 1,
    id: 'base-image',
    title: 'Base image',
    baseline: 'all kernel code (the bootstrap + every module bundle)',
    rows: [
      compare('base image bytes (the bootstrap)', text + init, allCode, 'B', 1, `budget 4096; ${result.modules.length} module bundles, ${moduleBytes} B`),
      compare('base frames in use after boot vs at power-on', baseFramesAfterBoot, frames(text) + frames(init), 'frames', 1, `dmesg: Freeing unused kernel memory: ${freed}; the bootstrap took ${bootstrapMs} ms`),
      compare('kernel module bytes', kernelModule.code.length, allCode, 'B', 1, `${frames(kernelModule.code.length)} text frames, loaded by the bootstrap`),
      compare('kernel code frames resident after boot', baseFramesAfterBoot + moduleFramesAfterBoot, frames(allCode), 'frames', 1, `base ${baseFramesAfterBoot} + modules ${moduleFramesAfterBoot} (the kernel and the init modules), vs one monolithic image`),
    ],
  };
}
