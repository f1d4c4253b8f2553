import type { SESv2Client } from '@aws-sdk/client-sesv2'
import { ConfigError, type Config } from '../config'
import { sesSdk } from '../deferred'
import type { Mailer } from './mailer'

/**
 * Sends through Amazon SES (API v2, `SendEmail`) from `MAIL_FROM`, in the configuration set
 * `SES_CONFIGURATION_SET` when one is named. The SDK and its client come with the first email, so a
 * cold start never loads them. Refuses to be built without a sender: the api then fails its cold
 * start with the variable's name, instead of failing each reset later.
 */
export function createSesMailer(config: Pick<Config, 'region' | 'mail'>): Mailer {
  const { from, configurationSet } = config.mail
  if (from === undefined) {
    throw new ConfigError('MAIL_FROM must be set in production: password-reset emails are sent from this address through Amazon SES')
  }
  let client: SESv2Client | undefined
  return {
    async send(message) {
      const { SESv2Client, SendEmailCommand } = sesSdk()
      // Three attempts, each given up after 3 s, like the DynamoDB client: well inside the function's timeout.
      client ??= new SESv2Client({
        region: config.region,
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
      })
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
            },
          },
          ConfigurationSetName: configurationSet,
        }),
      )
    },
  }
}
