import { nextTick } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { isSignedIn } from './session'
import NotesView from './views/NotesView.vue'
import NoteEditorView from './views/NoteEditorView.vue'
import TrashView from './views/TrashView.vue'
import SignInView from './views/SignInView.vue'
import RegisterView from './views/RegisterView.vue'
import NotFoundView from './views/NotFoundView.vue'

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
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'notes', component: NotesView, meta: { title: 'Notes' } },
    { path: '/notes/new', name: 'new-note', component: NoteEditorView, meta: { title: 'New note' } },
    { path: '/notes/:id', name: 'note', component: NoteEditorView, props: true, meta: { title: 'Edit note' } },
    { path: '/trash', name: 'trash', component: TrashView, meta: { title: 'Trash' } },
    { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { title: 'Sign in', guest: true } },
    { path: '/register', name: 'register', component: RegisterView, meta: { title: 'Register', guest: true } },
    { path: '/:rest(.*)*', name: 'not-found', component: NotFoundView, meta: { title: 'Page not found', public: true } },
  ],
})

router.beforeEach((to) => {
  if (to.meta.public) return true
  if (to.meta.guest) return isSignedIn.value ? { name: 'notes' } : true
  if (isSignedIn.value) return true
  return { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
})

let firstNavigation = true

router.afterEach((to) => {
  document.title = `${to.meta.title} · Notes`
  if (firstNavigation) {
    firstNavigation = false
    return
  }
  // After a client-side navigation, start keyboard and screen-reader users at the new page's heading.
  void nextTick(focusHeading)
})

function focusHeading(): void {
  const heading = document.querySelector<HTMLElement>('main h1')
  heading?.focus()
}
