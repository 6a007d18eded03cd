/** The source of "now" for code that decides by time; tests pass a fixed one. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
