// The dashboard page's entry (web/dashboard.html): 征收进度调度看板 / 大屏.
import 'maplibre-gl/dist/maplibre-gl.css';
import '../app.css';
import { mount } from 'svelte';
import Gate from '../accounts/Gate.svelte';
import Dashboard from './Dashboard.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing');
mount(Gate, { target, props: { page: Dashboard } });
