/** @arena/router: placeholder; see ../../shared/ARCHITECTURE.md. Filled by a later issue. */
export const PACKAGE = '@arena/router' as const;
