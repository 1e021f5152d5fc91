/** @arena/kernels: placeholder; see ../../shared/ARCHITECTURE.md. Filled by a later issue. */
export const PACKAGE = '@arena/kernels' as const;
