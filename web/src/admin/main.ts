// The administrators' page (web/admin.html): 用户管理 (users, roles, areas, passwords) and 审计
// (data changes and account events).
import '../app.css';
import { mount } from 'svelte';
import Gate from '../accounts/Gate.svelte';
import Admin from './Admin.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing');
mount(Gate, { target, props: { page: Admin } });
