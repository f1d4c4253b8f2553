import { nextTick } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { setPageTitle } from './page-title'
import { afterSignIn } from './redirect'
import { isSignedIn, signInReady } from './sign-in'
import NotesView from './views/NotesView.vue'
import NoteEditorView from './views/NoteEditorView.vue'
import TrashView from './views/TrashView.vue'
import SignInView from './views/SignInView.vue'
import RegisterView from './views/RegisterView.vue'
import NotFoundView from './views/NotFoundView.vue'
import DevicesView from './views/DevicesView.vue'
import PasswordView from './views/PasswordView.vue'
import ForgotPasswordView from './views/ForgotPasswordView.vue'
import ResetPasswordView from './views/ResetPasswordView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    title: string
    /** Only for people who are signed out (sign in, register). */
    guest?: boolean
    /** Open to everyone. */
    public?: boolean
  }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL), // `/`, or `/app/` beside a mounted app at `/`
  routes: [
    { path: '/', name: 'notes', component: NotesView, meta: { title: 'Notes' } },
    { path: '/notes/new', name: 'new-note', component: NoteEditorView, meta: { title: 'New note' } },
    { path: '/notes/:id', name: 'note', component: NoteEditorView, props: true, meta: { title: 'Edit note' } },
    { path: '/trash', name: 'trash', component: TrashView, meta: { title: 'Trash' } },
    { path: '/devices', name: 'devices', component: DevicesView, meta: { title: 'Signed-in devices' } },
    { path: '/password', name: 'password', component: PasswordView, meta: { title: 'Change password' } },
    { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { title: 'Sign in', guest: true } },
    { path: '/register', name: 'register', component: RegisterView, meta: { title: 'Register', guest: true } },
    {
      path: '/forgot-password',
      name: 'forgot-password',
      component: ForgotPasswordView,
      meta: { title: 'Reset your password', guest: true },
    },
    // Open to everyone: the emailed link may be opened in a browser signed in (to that account or another).
    { path: '/reset-password', name: 'reset-password', component: ResetPasswordView, meta: { title: 'Set a new password', public: true } },
    { path: '/:rest(.*)*', name: 'not-found', component: NotFoundView, meta: { title: 'Page not found', public: true } },
  ],
})

router.beforeEach(async (to) => {
  // A reload or a new tab: the sign-in is looked for (one refresh) before the first page decides.
  await signInReady
  if (to.meta.public) return true
  if (to.meta.guest) return isSignedIn.value ? afterSignIn(to.query.redirect) : true
  if (isSignedIn.value) return true
  return { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
})

let firstNavigation = true

router.afterEach((to) => {
  setPageTitle(to.meta.title)
  if (firstNavigation) {
    firstNavigation = false
    return
  }
  // After a client-side navigation, start keyboard and screen-reader users at the new page's heading.
  void nextTick(focusHeading)
})

function focusHeading(): void {
  // A page that put focus somewhere itself (the password field of a filled-in form) keeps it there.
  const main = document.querySelector('main')
  if (document.activeElement && document.activeElement !== main && main?.contains(document.activeElement)) return
  const heading = document.querySelector<HTMLElement>('main h1')
  // Without scrolling: a list that returns to where the person was scrolls by itself.
  heading?.focus({ preventScroll: true })
}
