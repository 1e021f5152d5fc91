/** Every kernel, registered explicitly: importing a kernel module registers it (registerKernel). */
import { RollingMeanKernel } from './kernels/rollingMean.ts';

export const ALL_KERNELS = [RollingMeanKernel] as const;
