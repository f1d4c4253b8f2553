// The modules of the adapter both Lambda entries use (@vendia/serverless-express is now a name that
// re-exports @codegenie/serverless-express, which does the work): how it turns each source's event into
// the method, path, headers and body the app receives, and what it collected of a response. They carry no types.
declare module '@codegenie/serverless-express/src/event-sources/utils' {
  export function getEventSourceNameBasedOnEvent(options: { event: object }): string
}

declare module '@codegenie/serverless-express/src/event-sources' {
  export interface RequestValues {
    method: string
    /** With its query string, percent-encoded. */
    path: string
    /** Lower-case names; repeated values joined. */
    headers: Record<string, string | number | undefined>
    body?: Buffer
    remoteAddress?: string
  }
  export function getEventSource(options: { eventSourceName: string }): { getRequest(options: { event: object }): RequestValues }
}

declare module '@codegenie/serverless-express/src/response' {
  /** The response the adapter hands the app; `body` is what it collected of it. */
  export default class ServerlessResponse {
    static body(response: object): Buffer
  }
}
