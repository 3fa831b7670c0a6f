export const computeCases = [];
