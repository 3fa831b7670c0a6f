export const rke2Cases = [];
