/** @arena/dashboard: placeholder for the fastify dashboard (later issue). */
export const PACKAGE = '@arena/dashboard' as const;
