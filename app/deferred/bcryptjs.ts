/** bcrypt, for the imported users whose old hash is one, loaded with the first such sign-in (see ../deferred.ts). */
export { compare, hash } from 'bcryptjs'
