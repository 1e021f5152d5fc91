/** The vision-language-model router adapter: prompt, answer schema and client. */
export * from './schema.ts';
export * from './prompt.ts';
export * from './client.ts';
