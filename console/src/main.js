// The console's entry: the layout (navigation, sign-in) and the page the hash names.
import { render } from 'preact';
import { html } from './html.js';
import { needsSignIn } from './auth.js';
import { useSignal } from './state.js';
import { useRoute } from './router.js';
import { SignInPage, SignOutButton } from './pages/signin.js';
import { StudiesPage } from './pages/studies.js';
import { StudyPage } from './pages/study.js';
import { UploadPage } from './pages/upload.js';
import { JobsPage } from './pages/jobs.js';
import { SystemPage } from './pages/system.js';

// page name -> [navigation label (null: not in the menu), component]
const PAGES = {
  studies: ['Studies', StudiesPage],
  study: [null, StudyPage],
  upload: ['Upload', UploadPage],
  jobs: ['Jobs', JobsPage],
  system: ['System', SystemPage],
};

function Layout() {
  const route = useRoute();
  const signIn = useSignal(needsSignIn);
  const [, Page] = PAGES[route.page] || PAGES.studies;
  const current = route.page === 'study' ? 'studies' : route.page;
  return html`
    <a class="skip" href="#main" onClick=${(event) => { event.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <header>
      <a class="brand" href="#/studies">Cirrus</a>
      <nav aria-label="Main">
        ${Object.entries(PAGES).filter(([, [label]]) => label).map(
          ([name, [label]]) => html`<a href=${`#/${name}`} aria-current=${current === name ? 'page' : undefined}>${label}</a>`,
        )}
      </nav>
      <${SignOutButton} />
    </header>
    <main id="main" tabindex="-1">
      ${signIn ? html`<${SignInPage} />` : html`<${Page} key=${[route.page, ...route.args].join("/")} args=${route.args} query=${route.query} />`}
    </main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading" line of index.html
render(html`<${Layout} />`, root);
