/** The z-scores the conv net and the router read: per asset over its last Z_WINDOW defined values, clipped to +-Z_CLIP. */
/** values the z-scores are taken over (a fixed window: a panel's length never changes what a bar's inputs are) */
export const Z_WINDOW = 500;
export const Z_CLIP = 5;
