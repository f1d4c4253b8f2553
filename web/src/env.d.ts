/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the API, fixed at build time; empty or unset means the page's own origin. */
  readonly VITE_API_URL?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
