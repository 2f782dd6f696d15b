/** Probe results live in the store's probes repository (store/probes.ts). */
export { createProbeStore, type ProbeRecord, type ProbeStore } from '../store/probes.js';
