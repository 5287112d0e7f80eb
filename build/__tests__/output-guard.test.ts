/*
 * Tests the build's guard of its output (build/output-guard.ts) on a memfs volume and through
 * build(): a second build overwrites what the first wrote; one changed by hand since is
 * refused in one line naming it, and left as it is; a file no build recorded is overwritten.
 */
import { createFsFromVolume, Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { build, BuildError } from '../../build.ts';
import { recordOutput, refuseChangedOutput, SUMS_FILE } from '../output-guard.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('the output guard', () => {
  it('lets a file be overwritten while it is what the build wrote, and refuses once it was changed', () => {
    const volume = Volume.fromJSON({ '/out/initrd.cpio': 'built', '/out/boot.img': 'image' });
    const fs = createFsFromVolume(volume) as never;
    recordOutput(fs, '/out', { 'initrd.cpio': bytes('built'), 'boot.img': bytes('image') });
    expect(() => refuseChangedOutput(fs, '/out', ['boot.img', 'initrd.cpio'])).not.toThrow();
    volume.writeFileSync('/out/initrd.cpio', 'edited by hand');
    expect(() => refuseChangedOutput(fs, '/out', ['boot.img', 'initrd.cpio'])).toThrow(
      new BuildError('/out/initrd.cpio was changed since the build wrote it; not overwriting it. Boot it as it is with npm run boot, or move it away and build again'),
    );
    // Moved away: nothing to keep.
    volume.unlinkSync('/out/initrd.cpio');
    expect(() => refuseChangedOutput(fs, '/out', ['boot.img', 'initrd.cpio'])).not.toThrow();
  });

  it('overwrites a file no build recorded, and reads an unreadable record as none', () => {
    const volume = Volume.fromJSON({ '/out/initrd.cpio': 'from somewhere', [`/out/${SUMS_FILE}`]: '{ not json' });
    expect(() => refuseChangedOutput(createFsFromVolume(volume) as never, '/out', ['initrd.cpio'])).not.toThrow();
  });

  it('keeps build() from overwriting a ramdisk edited since it was built', async () => {
    const volume = new Volume();
    const options = { fs: createFsFromVolume(volume) as never, outDir: '/dist', quiet: true };
    await build(options);
    await build(options);
    volume.writeFileSync('/dist/initrd.cpio', 'edited');
    await expect(build(options)).rejects.toThrow('/dist/initrd.cpio was changed since the build wrote it; not overwriting it');
    expect(volume.readFileSync('/dist/initrd.cpio', 'utf8')).toBe('edited');
  });
});
