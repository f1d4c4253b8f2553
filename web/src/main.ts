import { createApp } from 'vue'
import App from './App.vue'
import { whenUnauthorized } from './api'
import { router } from './router'
import { endSession } from './session'
import './styles.css'

// Any authenticated call refused with 401 means the token expired or is no longer valid.
whenUnauthorized(() => {
  const here = router.currentRoute.value
  endSession('Your session has expired. Please sign in again.')
  void router.replace({ name: 'sign-in', query: here.meta.guest || here.fullPath === '/' ? {} : { redirect: here.fullPath } })
})

createApp(App).use(router).mount('#app')
