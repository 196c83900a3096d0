/** The seeded tenant's owner: how the benchmark finds the big tenant again. */
export const bigEmail = 'big@parley.local';
