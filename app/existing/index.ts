export { mount, mountExisting, type ExistingApp, type ExistingCode, type Mount, type MountOptions } from './mount'
export { defaultSession, sessionFromToken, type SessionFromIdentity, type SessionRequest } from './session'
