/** The JWE functions that seal a mounted app's sessions in their cookie, loaded with the first one (see ../deferred.ts). */
export { EncryptJWT, jwtDecrypt } from 'jose'
