export const platformCases = [];
