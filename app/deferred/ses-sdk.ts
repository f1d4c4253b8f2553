/** Amazon SES (API v2), loaded with the first email sent (see ../deferred.ts). */
export { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2'
