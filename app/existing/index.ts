export { type MountAuth } from './credential'
export {
  isForMount,
  mount,
  mountExisting,
  type ExistingApp,
  type ExistingCode,
  type Mount,
  type MountDeps,
  type MountList,
  type MountOptions,
} from './mount'
export { verifyLogin, type SignedInAccount } from './imported-users'
export { defaultSession, type SessionFromIdentity, type SessionOptions, type SessionRequest } from './session'
export { signIn, signOut, type BrowserSignIn, type SignInUser } from './sign-in'
