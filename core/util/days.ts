/** One day in milliseconds: windows, lookbacks and cutoffs are whole UTC days. */
export const DAY_MS = 86_400_000;
