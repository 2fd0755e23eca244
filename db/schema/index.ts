export * from './tenders.js';
export * from './raw-notices.js';
export * from './scrape-runs.js';
export * from './firms.js';
export * from './auth.js';
export * from './events.js';
export * from './webhooks.js';
export * from './notifications.js';
