/** Setup ids: `awstrust_` and a time-ordered random id (newId in ../ids.ts). */
export const SETUP_PREFIX = "awstrust_";

/** The shape of a setup id; anything else cannot be a setup (checked before any lookup). */
export const SETUP_ID = /^awstrust_[0-9a-z]{26}$/;
