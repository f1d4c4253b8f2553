export { type MountAuth } from './authenticate'
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
export { type PassportRequest } from './passport'
export { defaultSession, type SessionFromIdentity, type SessionOptions, type SessionRequest } from './session'
export { signIn, signOut, verifyLogin, type SignedInAccount, type SignInUser } from './sign-in'
