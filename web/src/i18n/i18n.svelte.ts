// The interface language: 简体中文 by default, English on request; remembered in localStorage.
// Every visible string goes through `t` (interface text) or `L` (a {zh, en} label from geo/).
import type { Label } from '../../../geo/domain.ts';
import { beijingDateTime } from '../../../geo/time.ts';
import { UI, type UiKey } from './strings.ts';

export type Lang = 'zh' | 'en';

const STORAGE_KEY = 'zs.lang';

function initialLang(): Lang {
  try {
    const url = new URL(window.location.href).searchParams.get('lang');
    if (url === 'zh' || url === 'en') return url;
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    // no storage (private mode, tests): fall through to the default
  }
  return 'zh';
}

class I18n {
  lang = $state<Lang>(initialLang());

  set(lang: Lang): void {
    this.lang = lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // ignore
    }
  }
}

export const i18n = new I18n();

/** Interface text in the current language; `{name}` placeholders are filled from `vars`. */
export function t(key: UiKey, vars?: Record<string, string | number>): string {
  let s: string = UI[key][i18n.lang];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** A {zh, en} label in the current language. */
export function L(label: Label | undefined, fallback = ''): string {
  return label ? label[i18n.lang] : fallback;
}

/** Locale for number and date formatting. */
export function locale(): string {
  return i18n.lang === 'zh' ? 'zh-CN' : 'en-US';
}

/** A moment (ISO UTC from the server) as people read it: Beijing time whatever the browser's zone (geo/time.ts), 2024-03-05 14:03:09. */
export function dateTime(iso: string): string {
  return beijingDateTime(iso, true);
}
