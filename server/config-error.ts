// Kept apart from config.ts so that the modules config.ts reads settings through (basemaps.ts) can
// throw it without importing config.ts back.
export class ConfigError extends Error {}
