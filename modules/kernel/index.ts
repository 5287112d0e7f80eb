/*
 * The base kernel's entry point: the firmware runs this file's code with the machine and boot info.
 *
 * It builds the resident kernel, compiles the boot-only section of the image (boot/init.ts)
 * from the frames the firmware placed it in, runs it — command line, module index, the modules
 * of etc/modules, the init module — then frees those frames and lets the host engine collect
 * that code ("Freeing unused kernel memory", as Linux frees its __init sections).
 */
import { FRAME_SIZE, type BootInfo, type MachineInterface } from '../../emulator/machine-interface.ts';
import { decodeUtf8 } from '../../ramdisk/utf8.ts';
import { Kernel } from './kernel.ts';

/** The firmware's calling convention: the image's code is the body of a function (machine, bootInfo). */
declare const machine: MachineInterface;
declare const bootInfo: BootInfo;

const kernel = new Kernel(machine, bootInfo);
const section = bootInfo.init;
const factory = new Function('kernel', `${decodeUtf8(machine.memory, section.start, section.start + section.length)}\n//# sourceURL=keel:boot.img/init`);
factory(kernel);
const freed = kernel.frames.freeOwner(kernel.initOwner);
kernel.log.printk(`Freeing unused kernel memory: ${(freed * FRAME_SIZE) / 1024}K`);
kernel.reclaim.watch('boot-init', 'base', [factory]);
