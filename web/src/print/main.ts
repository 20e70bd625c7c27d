// The print page (地图打印): opened by the server's headless Chromium (server/print) with the
// requesting user's session, it lays out one sheet and signals `window.__print` when it can be printed.
import 'maplibre-gl/dist/maplibre-gl.css';
import { mount } from 'svelte';
import PrintPage from './PrintPage.svelte';
import { readPrintJob } from './job.ts';

const target = document.getElementById('print');
if (!target) throw new Error('#print missing');
const job = readPrintJob(location.search);
if ('error' in job) window.__print = { error: job.error };
else mount(PrintPage, { target, props: { job } });
