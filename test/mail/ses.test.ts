import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2'
import { mockClient } from 'aws-sdk-client-mock'
import { ConfigError, loadConfig } from '../../app/config'
import { createSesMailer } from '../../app/mail/ses'
import { testSecret } from '../helpers/app'

/** Amazon SES on AWS, with the SDK's client mocked (SES cannot run here). */
const message = {
  to: 'ada@example.com',
  subject: 'Reset your Notes password',
  text: 'Open this:\nhttps://notes.example.com/reset-password#token=abc',
}

describe('Amazon SES', () => {
  const ses = mockClient(SESv2Client)
  afterEach(() => ses.reset())
  const production = { AWS_LAMBDA_FUNCTION_NAME: 'api', TABLE_NAME: 't', JWT_SECRET: testSecret, APP_URL: 'https://notes.example.com' }

  it('when MAIL_FROM is not set, then the mailer refuses to be built, naming the variable', () => {
    const config = loadConfig(production)

    expect(() => createSesMailer(config)).toThrow(ConfigError)
    expect(() => createSesMailer(config)).toThrow(/MAIL_FROM/)
  })

  it('when a message is sent, then it is one SendEmail from MAIL_FROM, in the configuration set, as UTF-8 text', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' })
    const config = loadConfig({ ...production, MAIL_FROM: 'Notes <no-reply@example.com>', SES_CONFIGURATION_SET: 'notes-prod' })

    await createSesMailer(config).send(message)

    const calls = ses.commandCalls(SendEmailCommand)
    expect(calls).toHaveLength(1)
    expect(calls[0].args[0].input).toEqual({
      FromEmailAddress: 'Notes <no-reply@example.com>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'notes-prod',
    })
  })

  it('when SES refuses, then the send rejects with its error', async () => {
    ses.on(SendEmailCommand).rejects(new Error('Email address is not verified'))
    const config = loadConfig({ ...production, MAIL_FROM: 'no-reply@example.com' })

    await expect(createSesMailer(config).send(message)).rejects.toThrow('Email address is not verified')
  })
})
