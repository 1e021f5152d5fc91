/** @arena/features: placeholder; see ../../shared/ARCHITECTURE.md. Filled by a later issue. */
export const PACKAGE = '@arena/features' as const;
