// The request side of @vendia/serverless-express, which both Lambda entries use: how it turns each
// source's event into the method, path, headers and body the app receives (its modules carry no types).
declare module '@vendia/serverless-express/src/event-sources/utils' {
  export function getEventSourceNameBasedOnEvent(options: { event: object }): string
}

declare module '@vendia/serverless-express/src/event-sources' {
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
