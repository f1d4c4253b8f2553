import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { whenSignedOut } from './sign-in'
import './styles.css'

// The sign-in ended without the person asking (expired, revoked elsewhere, signed out in another
// tab): go to sign-in, and come back here afterwards, where any unsaved text is offered again.
whenSignedOut(() => {
  const here = router.currentRoute.value
  if (here.meta.guest || here.meta.public) return
  void router.replace({ name: 'sign-in', query: here.fullPath === '/' ? {} : { redirect: here.fullPath } })
})

createApp(App).use(router).mount('#app')
