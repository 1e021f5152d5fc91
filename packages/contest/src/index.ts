/** @arena/contest: placeholder; see ../../shared/ARCHITECTURE.md. Filled by a later issue. */
export const PACKAGE = '@arena/contest' as const;
