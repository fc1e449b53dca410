// JSX-like templates without a compiler: htm's tagged templates bound to Preact's h(). No
// eval, so the strict Content-Security-Policy holds (console/site.py).
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
