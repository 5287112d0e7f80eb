/*
 * Figure 1 — the base image: how small the code present before any module loads is, next to
 * all kernel code (base image plus every module bundle, what one monolithic image would hold),
 * and how many of its frames stay in use once boot frees the boot-only section.
 */
import { FRAME_SIZE } from '../../emulator/machine-interface.ts';
import { bootKernel, buildInMemory } from '../../test/harness.ts';
import { compare, type Figure } from '../lib/figure.ts';

const frames = (bytes: number) => Math.ceil(bytes / FRAME_SIZE);

export async function baseImage(): Promise<Figure> {
  const { result } = await buildInMemory();
  const { text, init } = result.imageSections;
  const moduleBytes = result.modules.reduce((sum, { code }) => sum + code.length, 0);
  const kernel = await bootKernel();
  const free = await kernel.run('free');
  const freed = /Freeing unused kernel memory: (\d+K)/.exec(await kernel.run('dmesg'))?.[1] ?? 'nothing';
  await kernel.halt();
  const baseFramesAfterBoot = Number(/base text (\d+)/.exec(free)![1]);
  const moduleFramesAfterBoot = Number(/module text (\d+)/.exec(free)![1]);
  return {
    number: 1,
    id: 'base-image',
    title: 'Base image',
    baseline: 'all kernel code (base image + every module bundle)',
    rows: [
      compare('base image bytes (text + init)', text + init, text + init + moduleBytes, 'B', 1, `text ${text} + init ${init}; ${result.modules.length} module bundles, ${moduleBytes} B`),
      compare('base frames in use after boot vs at power-on', baseFramesAfterBoot, frames(text) + frames(init), 'frames', 1, `dmesg: Freeing unused kernel memory: ${freed}`),
      compare('kernel code frames resident after boot', baseFramesAfterBoot + moduleFramesAfterBoot, frames(text + init + moduleBytes), 'frames', 1, `base ${baseFramesAfterBoot} + init modules ${moduleFramesAfterBoot}, vs one monolithic image`),
    ],
  };
}
